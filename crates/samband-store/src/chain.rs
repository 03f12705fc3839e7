//! Verifying the audit trail's hash chain, backend-independent. The sealer links entries
//! into the chain after they commit, so the trail is a sealed chain followed by an
//! unsealed tail. Every sealed entry must name its predecessor's hash and hash to what
//! it says, sequence numbers must increase, every entry up to the head anchor must be
//! sealed and the chain must end exactly at the anchor (so a truncated or unsealed-over
//! tail is caught too). Entries after the anchor are the unsealed tail, reported apart:
//! they are not broken, only not yet linked.

use crate::{audit_hash, Store, StoreError, GENESIS_HASH};

/// Where and why the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// The sequence number of the first entry that does not fit (0 for the head).
    pub seq: i64,
    pub reason: String,
}

/// An intact trail: how many entries the chain links and how many wait for the sealer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainStatus {
    pub sealed: u64,
    pub unsealed: u64,
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

/// Walks the whole trail in pages of `page` entries.
pub async fn verify_chain(store: &dyn Store, page: i64) -> Result<ChainStatus, VerifyError> {
    let broken = |seq: i64, reason: String| Err(VerifyError::Broken(ChainBreak { seq, reason }));
    // The anchor first: the sealer may move it while we walk, and everything up to
    // where it stood now must be sealed when we get there.
    let (head_seq, head_hash) = {
        let mut tx = store.begin_read().await?;
        tx.audit_head().await?
    };
    let mut prev = GENESIS_HASH.to_owned();
    let mut last_seq = 0i64;
    let mut sealed = 0u64;
    let mut unsealed = 0u64;
    let mut reached_head = head_seq == 0;
    let mut in_tail = false;
    loop {
        let records = {
            let mut tx = store.begin_read().await?;
            tx.audit_records(last_seq, page).await?
        };
        if records.is_empty() {
            break;
        }
        for r in &records {
            last_seq = r.seq;
            if in_tail {
                // Past the first unsealed entry: entries the sealer reached while we
                // walked cannot be checked against a link we did not see sealed.
                unsealed += 1;
                continue;
            }
            match (&r.prev_hash, &r.hash) {
                (None, None) if r.seq > head_seq => {
                    in_tail = true;
                    unsealed += 1;
                    continue;
                }
                (None, None) => {
                    return broken(r.seq, "it lies inside the sealed chain but carries no seal (its chain fields were removed)".into());
                }
                _ => {}
            }
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
            if r.seq == head_seq {
                if expect != head_hash {
                    return broken(0, "the head anchor does not match the chain (entries were removed or rewritten)".into());
                }
                reached_head = true;
            } else if r.seq > head_seq && !reached_head {
                return broken(
                    0,
                    format!("the chain passes the head anchor ({head_seq}) without reaching it: entries were removed"),
                );
            }
            prev = expect;
            sealed += 1;
        }
    }
    if !reached_head {
        return broken(
            0,
            format!("the newest entry ({last_seq}) is not the one the head anchors ({head_seq}): entries were removed from the end"),
        );
    }
    Ok(ChainStatus { sealed, unsealed })
}
