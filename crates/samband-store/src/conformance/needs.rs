//! Conformance scenario for needs-mapping conversations.

use super::*;
use samband_domain::pathway::needs::{IdentifiedNeed, MappingPoint, NeedsMapping, NeedsTopic};

pub(super) async fn needs_mappings_round_trip_per_patient_by_day(store: Arc<dyn Store>) {
    let store = &*store;
    let f = seed(store).await;
    let owner = f.team.members[0].id;
    let rec = |point: MappingPoint, held: &str, needs: Vec<IdentifiedNeed>| NeedsMappingRecord {
        id: Uuid::now_v7(),
        patient_id: f.patient.id,
        recorded_by: owner,
        mapping: NeedsMapping {
            point,
            held_on: day(held),
            declined: needs.is_empty(),
            needs,
            notes: Some("Wants to talk again after the first treatment".into()),
        },
        created_at: t0(),
    };
    let later = rec(
        MappingPoint::Months3To4,
        "2026-05-02",
        vec![IdentifiedNeed {
            topic: NeedsTopic::WorkSchool,
            description: "Gradual return to work".into(),
            owner,
            due: day("2026-06-01"),
        }],
    );
    let first = rec(MappingPoint::Hospital, "2026-01-20", vec![]);
    let mut tx = store.begin().await.unwrap();
    tx.insert_needs_mapping(&later).await.unwrap();
    tx.insert_needs_mapping(&first).await.unwrap();
    tx.commit().await.unwrap();
    // Rolled back: not kept.
    let mut tx = store.begin().await.unwrap();
    tx.insert_needs_mapping(&rec(MappingPoint::Months12To18, "2027-01-10", vec![]))
        .await
        .unwrap();
    drop(tx);
    let mut tx = store.begin_read().await.unwrap();
    let listed = tx.list_needs_mappings(f.patient.id).await.unwrap();
    assert_eq!(listed, vec![first, later]);
    assert!(tx
        .list_needs_mappings(PatientId::new())
        .await
        .unwrap()
        .is_empty());
    tx.commit().await.unwrap();
}
