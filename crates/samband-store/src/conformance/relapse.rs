//! Conformance scenario for the relapse-prevention plan.

use super::*;
use samband_domain::relapse::{RelapsePlan, RelapseState, RelapseStatus, WarningSign};

pub(super) async fn relapse_plans_are_versioned_and_their_states_read_in_bulk(
    store: Arc<dyn Store>,
) {
    let store = &*store;
    let f = seed(store).await;
    let other = patient("Annen Pasient");
    let mut tx = store.begin().await.unwrap();
    tx.insert_patient(&other).await.unwrap();
    assert_eq!(tx.get_relapse_plan(f.patient.id).await.unwrap(), None);
    let draft = RelapsePlan {
        signs: vec![
            WarningSign {
                words: "Jeg slutter å svare på telefonen".into(),
                action: "Care manager calls within a day".into(),
                who_member_id: Some(f.team.members[0].id),
            },
            WarningSign {
                words: "I sleep past noon".into(),
                action: String::new(),
                who_member_id: None,
            },
        ],
        what_helps: "Walks".into(),
        contacts: "Care manager on weekdays".into(),
        updated_at: Some(t0()),
        ..RelapsePlan::empty(f.patient.id)
    };
    assert_eq!(tx.save_relapse_plan(&draft, 0).await.unwrap(), 1);
    assert!(is_conflict(&tx.save_relapse_plan(&draft, 0).await));
    let agreed = RelapsePlan {
        status: RelapseStatus::Agreed,
        agreed_on: Some(day("2026-11-30")),
        ..draft.clone()
    };
    assert_eq!(tx.save_relapse_plan(&agreed, 1).await.unwrap(), 2);
    assert!(is_conflict(&tx.save_relapse_plan(&agreed, 1).await));
    tx.commit().await.unwrap();
    // Rolled back: not kept.
    let mut tx = store.begin().await.unwrap();
    let withdrawn = RelapsePlan {
        status: RelapseStatus::Draft,
        agreed_on: None,
        ..agreed.clone()
    };
    assert_eq!(tx.save_relapse_plan(&withdrawn, 2).await.unwrap(), 3);
    drop(tx);
    let mut tx = store.begin_read().await.unwrap();
    assert_eq!(
        tx.get_relapse_plan(f.patient.id).await.unwrap(),
        Some(RelapsePlan {
            version: 2,
            ..agreed
        })
    );
    let unknown = PatientId::new();
    assert_eq!(
        tx.relapse_states(&[other.id, f.patient.id, unknown])
            .await
            .unwrap(),
        vec![
            (other.id, RelapseState::None),
            (
                f.patient.id,
                RelapseState::Agreed {
                    on: day("2026-11-30")
                }
            ),
            (unknown, RelapseState::None),
        ]
    );
    assert!(tx.relapse_states(&[]).await.unwrap().is_empty());
    tx.commit().await.unwrap();
}
