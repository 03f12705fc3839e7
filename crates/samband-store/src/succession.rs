//! Storage seams for successors (issue 11, part A): moving everything a leaving team
//! member still holds to the person who takes over, in a bounded number of statements,
//! the record of each hand-over, and the items waiting for a new owner.

use crate::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use samband_domain::ids::{AccountId, ActionId, GoalId, MemberId, PatientId, RequestId};
use uuid::Uuid;

/// Who hands over to whom on one patient's team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandOverTo {
    pub patient: PatientId,
    /// The succession this move belongs to (names the flags it leaves).
    pub succession: Uuid,
    pub from_member: MemberId,
    pub to_member: MemberId,
    /// The leaver's and the successor's sign-in accounts: requests and receipts are
    /// addressed to accounts. Without `to_account` they are not moved.
    pub from_account: Option<AccountId>,
    pub to_account: Option<AccountId>,
    /// The successor's name, as requests and receipts carry it.
    pub to_name: String,
    /// Flag every moved action, goal and request "needs a new owner".
    pub needs_new_owner: bool,
}

/// A member's open items: actions not done or cancelled, owned goals not achieved,
/// open requests addressed to them, and receipts they still owe on this patient's
/// messages. Each list is in id order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenItems {
    pub actions: Vec<ActionId>,
    pub goals: Vec<GoalId>,
    pub requests: Vec<RequestId>,
    /// Messages whose receipt is pending, by message id.
    pub receipts: Vec<Uuid>,
}

impl OpenItems {
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
            && self.goals.is_empty()
            && self.requests.is_empty()
            && self.receipts.is_empty()
    }
}

/// One ended membership and who took over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuccessionRecord {
    pub id: Uuid,
    pub patient_id: PatientId,
    pub leaver_member_id: MemberId,
    pub successor_member_id: MemberId,
    pub last_day: NaiveDate,
    /// No successor was named: the coordinator holds the items.
    pub needs_new_owner: bool,
    pub reason: Option<String>,
    pub by_account: AccountId,
    pub at: DateTime<Utc>,
}

/// An item still held by the member it was handed to for want of a successor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlaggedItem {
    /// `action`, `goal` or `request`.
    pub kind: String,
    pub item_id: Uuid,
    pub holder_member_id: MemberId,
    pub leaver_member_id: MemberId,
}

#[async_trait]
pub trait SuccessionRepo {
    /// What the member (and their account, for requests and receipts) still holds on
    /// the patient's record.
    async fn open_items(
        &mut self,
        patient: PatientId,
        member: MemberId,
        account: Option<AccountId>,
    ) -> StoreResult<OpenItems>;
    /// Moves every open item of `h.from_member` to `h.to_member` (a moved action, goal
    /// or request bumps its version; requests and pending receipts go to the
    /// successor's account, who joins their threads), flags them if asked; returns
    /// what moved (as [`SuccessionRepo::open_items`] saw it before).
    async fn move_open_items(&mut self, h: &HandOverTo) -> StoreResult<OpenItems>;
    async fn insert_succession(&mut self, s: &SuccessionRecord) -> StoreResult<()>;
    /// The patient's successions, oldest first.
    async fn list_successions(&mut self, patient: PatientId) -> StoreResult<Vec<SuccessionRecord>>;
    /// The patient's flagged items that the holder still holds and that are still
    /// open (reassigning or closing one clears it), by kind then id.
    async fn flagged_items(&mut self, patient: PatientId) -> StoreResult<Vec<FlaggedItem>>;
    /// How many such items each of `patients` has (patients with none are left out).
    async fn count_flagged(&mut self, patients: &[PatientId])
        -> StoreResult<Vec<(PatientId, i64)>>;
}
