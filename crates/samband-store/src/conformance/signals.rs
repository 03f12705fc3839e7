//! Conformance scenarios for absences, alerts with their events, and thresholds.

use super::*;
use samband_domain::absence::Absence;
use samband_domain::signal::routing::{Route, RouteReason};
use samband_domain::signal::{Alert, Reason, SignalClass, SignalSource, Thresholds};

fn absence(who: ProfessionalId, from: &str, to: &str, deputy: Option<ProfessionalId>) -> Absence {
    Absence {
        id: AbsenceId::new(),
        professional_id: who,
        from: day(from),
        to: day(to),
        deputy,
        note: Some("Summer leave".into()),
        ended_on: None,
        created_at: t0(),
        version: 1,
    }
}

pub(super) async fn absences_round_trip_by_first_day_and_are_versioned(store: Arc<dyn Store>) {
    let store = &*store;
    let f = seed(store).await;
    let later = absence(f.gp.id, "2026-12-20", "2026-12-31", Some(f.nurse.id));
    let first = absence(f.gp.id, "2026-11-10", "2026-11-12", None);
    let nurses = absence(f.nurse.id, "2026-11-10", "2026-11-12", None);
    let mut tx = store.begin().await.unwrap();
    tx.insert_absence(&later).await.unwrap();
    tx.insert_absence(&first).await.unwrap();
    tx.insert_absence(&nurses).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.list_absences(f.gp.id).await.unwrap(),
        vec![first.clone(), later.clone()]
    );
    assert_eq!(tx.get_absence(later.id).await.unwrap(), Some(later.clone()));
    assert_eq!(tx.get_absence(AbsenceId::new()).await.unwrap(), None);
    let ended = Absence {
        ended_on: Some(day("2026-12-24")),
        ..later.clone()
    };
    assert_eq!(tx.update_absence(&ended, 1).await.unwrap(), 2);
    assert!(is_conflict(&tx.update_absence(&ended, 1).await));
    tx.commit().await.unwrap();
    let mut tx = store.begin_read().await.unwrap();
    let got = tx.get_absence(later.id).await.unwrap().unwrap();
    assert_eq!((got.ended_on, got.version), (Some(day("2026-12-24")), 2));
    tx.commit().await.unwrap();
}

fn alert(f: &Fixture, reason: Reason, deadline: DateTime<Utc>) -> Alert {
    Alert::raise(
        f.patient.id,
        reason,
        SignalSource::Score,
        Route {
            member: f.team.members[0].id,
            reason: RouteReason::Coordinator,
        },
        deadline,
        t0(),
    )
}

pub(super) async fn one_open_alert_per_patient_and_class_with_events_and_pages(
    store: Arc<dyn Store>,
) {
    let store = &*store;
    let f = seed(store).await;
    let safety = alert(&f, Reason::Item9 { score: 2 }, t0() + Duration::hours(3));
    let worse = alert(
        &f,
        Reason::ScoreRise { from: 5, to: 12 },
        t0() + Duration::hours(1),
    );
    let mut tx = store.begin().await.unwrap();
    assert!(tx.insert_alert(&safety).await.unwrap());
    assert!(tx.insert_alert(&worse).await.unwrap());
    // A second open safety alert for the patient: refused, nothing written.
    let twin = alert(&f, Reason::PatientCrisis, t0());
    assert!(!tx.insert_alert(&twin).await.unwrap());
    assert_eq!(tx.get_alert(f.patient.id, twin.id).await.unwrap(), None);
    for (i, kind) in ["raised", "occurrence"].iter().enumerate() {
        tx.insert_alert_event(&AlertEvent {
            id: Uuid::now_v7(),
            alert_id: safety.id,
            patient_id: f.patient.id,
            at: t0() + Duration::minutes(i as i64),
            kind: (*kind).into(),
            member: Some(f.team.members[0].id),
            detail: serde_json::json!({ "code": "item9" }),
        })
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.open_alert(f.patient.id, SignalClass::Safety)
            .await
            .unwrap(),
        Some(safety.clone())
    );
    assert_eq!(
        tx.open_alert(f.patient.id, SignalClass::Engagement)
            .await
            .unwrap(),
        None
    );
    let events = tx.list_alert_events(safety.id).await.unwrap();
    assert_eq!(
        events.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(),
        vec!["raised", "occurrence"]
    );
    assert_eq!(events[0].detail["code"], "item9");
    // The assignee's list and the patient's, soonest deadline first, paged.
    let mine = AlertFilter {
        scope: AlertScope::Assignee(f.gp.id),
        open_only: true,
    };
    let page = tx.alerts_page(&mine, &PageAt::first(1)).await.unwrap();
    assert_eq!(page, vec![worse.clone()]);
    let next = tx
        .alerts_page(&mine, &PageAt::after(worse.deadline, worse.id.as_uuid(), 5))
        .await
        .unwrap();
    assert_eq!(next, vec![safety.clone()]);
    assert_eq!(tx.count_alerts(&mine).await.unwrap(), 2);
    let nurse = AlertFilter {
        scope: AlertScope::Assignee(f.nurse.id),
        open_only: false,
    };
    assert_eq!(tx.count_alerts(&nurse).await.unwrap(), 0);
    // Acknowledged: no longer open, so a new one of its class may be raised.
    let mut acked = safety.clone();
    acked.status = samband_domain::signal::AlertStatus::Acknowledged;
    assert_eq!(tx.update_alert(&acked, 1).await.unwrap(), 2);
    assert!(is_conflict(&tx.update_alert(&acked, 1).await));
    assert!(tx.insert_alert(&twin).await.unwrap());
    let patients = AlertFilter {
        scope: AlertScope::Patient(f.patient.id),
        open_only: false,
    };
    assert_eq!(tx.count_alerts(&patients).await.unwrap(), 3);
    let open = AlertFilter {
        open_only: true,
        ..patients
    };
    assert_eq!(tx.count_alerts(&open).await.unwrap(), 2);
    tx.commit().await.unwrap();
    let mut tx = store.begin_read().await.unwrap();
    let got = tx
        .get_alert(f.patient.id, safety.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((got.status.as_str(), got.version), ("acknowledged", 2));
    assert_eq!(
        tx.get_alert(PatientId::new(), safety.id).await.unwrap(),
        None
    );
    tx.commit().await.unwrap();
}

pub(super) async fn thresholds_are_saved_per_patient_and_versioned(store: Arc<dyn Store>) {
    let store = &*store;
    let f = seed(store).await;
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.get_thresholds(f.patient.id).await.unwrap(), None);
    let t = Thresholds {
        rise_points: 4,
        ..Thresholds::default()
    };
    assert_eq!(
        tx.save_thresholds(f.patient.id, &t, t0(), 0).await.unwrap(),
        1
    );
    // A second first save, or a save at a version not stored: conflicts.
    assert!(is_conflict(
        &tx.save_thresholds(f.patient.id, &t, t0(), 0).await
    ));
    let t2 = Thresholds {
        silent_days: 10,
        ..t
    };
    assert!(is_conflict(
        &tx.save_thresholds(f.patient.id, &t2, t0(), 2).await
    ));
    assert_eq!(
        tx.save_thresholds(f.patient.id, &t2, t0(), 1)
            .await
            .unwrap(),
        2
    );
    tx.commit().await.unwrap();
    let mut tx = store.begin_read().await.unwrap();
    assert_eq!(
        tx.get_thresholds(f.patient.id).await.unwrap(),
        Some((t2, 2))
    );
    assert_eq!(tx.get_thresholds(PatientId::new()).await.unwrap(), None);
    tx.commit().await.unwrap();
}
