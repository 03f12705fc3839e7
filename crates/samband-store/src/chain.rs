//! Verifying the audit trail's hash chain, backend-independent: every entry must name
//! its predecessor's hash and hash to what it says, sequence numbers must increase, and
//! the newest entry must match the head anchor (so a truncated tail is caught too).

use crate::{audit_hash, Store, StoreError, GENESIS_HASH};

/// Where and why the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// The sequence number of the first entry that does not fit (0 for the head).
    pub seq: i64,
    pub reason: String,
}

#[derive(Debug)]
pub enum VerifyError {
    Broken(ChainBreak),
    Store(StoreError),
}

impl From<StoreError> for VerifyError {
    fn from(e: StoreError) -> Self {
        VerifyError::Store(e)
    }
}

/// Walks the whole trail in pages of `page` entries; returns how many entries verified.
pub async fn verify_chain(store: &dyn Store, page: i64) -> Result<u64, VerifyError> {
    let mut prev = GENESIS_HASH.to_owned();
    let mut last_seq = 0i64;
    let mut count = 0u64;
    let broken = |seq: i64, reason: String| Err(VerifyError::Broken(ChainBreak { seq, reason }));
    loop {
        let mut tx = store.begin().await?;
        let records = tx.audit_records(last_seq, page).await?;
        drop(tx);
        if records.is_empty() {
            break;
        }
        for r in &records {
            if r.prev_hash.as_deref() != Some(prev.as_str()) {
                return broken(r.seq, "does not link to the entry before it (an entry was removed, inserted or moved)".into());
            }
            let expect = audit_hash(&prev, &r.entry);
            if r.hash.as_deref() != Some(expect.as_str()) {
                return broken(
                    r.seq,
                    "its contents do not match its hash (the entry was changed)".into(),
                );
            }
            prev = expect;
            last_seq = r.seq;
            count += 1;
        }
    }
    let mut tx = store.begin().await?;
    let (head_seq, head_hash) = tx.audit_head().await?;
    if head_seq != last_seq || head_hash != prev {
        return broken(
            0,
            format!("the newest entry ({last_seq}) is not the one the head anchors ({head_seq}): entries were removed from the end"),
        );
    }
    Ok(count)
}
