//! Conformance scenarios for self-monitoring: check-in schedules and responses.

use super::*;
use samband_domain::instrument::schedule::{Schedule, ScheduleInput};
use samband_domain::instrument::{self, InstrumentKey};

fn schedule(w: &World, key: &str, every: i64, start: &str) -> Schedule {
    let f = ScheduleInput {
        instrument: key.into(),
        every_days: Some(every),
        starts_on: Some(day(start)),
        milestone: Some("depression_discharge/follow_up".into()),
    }
    .validate(today())
    .unwrap();
    Schedule::new(w.f.patient.id, f, w.gp.id, t0())
}

pub(super) async fn checkin_schedules_are_versioned_and_due_ones_paged(store: Arc<dyn Store>) {
    let store = &*store;
    let w = seed_world(store).await;
    let a = schedule(&w, "phq9", 14, "2026-11-01");
    let b = schedule(&w, "gad7", 28, "2026-11-01");
    let c = schedule(&w, "who5", 7, "2026-10-20");
    let paused = schedule(&w, "esas_r", 7, "2026-10-01").pause("Away".into(), w.patient.id, t0());
    let ended = schedule(&w, "pain_nrs", 7, "2026-10-01").end(today());
    let later = schedule(&w, "phq2", 7, "2026-12-01");
    let mut tx = store.begin().await.unwrap();
    for s in [&a, &b, &c, &paused, &ended, &later] {
        tx.insert_schedule(s).await.unwrap();
    }
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.get_schedule(w.f.patient.id, a.id).await.unwrap(),
        Some(a.clone())
    );
    assert_eq!(tx.get_schedule(PatientId::new(), a.id).await.unwrap(), None);
    let listed = tx.list_schedules(w.f.patient.id).await.unwrap();
    assert_eq!(listed.len(), 6);
    assert_eq!(listed[3], paused);
    // Versioned: answered moves next_due; a stale write is a conflict and changes nothing.
    let next = a.answered(day("2026-11-02"));
    assert_eq!(tx.update_schedule(&next, 1).await.unwrap(), 2);
    assert!(matches!(
        tx.update_schedule(&a.end(today()), 1).await,
        Err(StoreError::Conflict(_))
    ));
    let got = tx
        .get_schedule(w.f.patient.id, a.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (got.version, got.next_due, got.ended_on),
        (2, day("2026-11-16"), None)
    );
    assert_eq!(got.last_answered_on, Some(day("2026-11-02")));
    // Pause round-trips through an update too.
    let p = got.pause("Holiday".into(), w.patient.id, t0());
    tx.update_schedule(&p, 2).await.unwrap();
    let got = tx
        .get_schedule(w.f.patient.id, a.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        got.paused.as_ref().map(|p| p.reason.as_str()),
        Some("Holiday")
    );
    tx.update_schedule(&got.resume(), 3).await.unwrap();
    tx.commit().await.unwrap();

    // Due on 2026-11-05: c (10-20), then b (11-01); a moved on, paused/ended/later not.
    let mut tx = store.begin_read().await.unwrap();
    let on = day("2026-11-05");
    let first = tx.due_schedules(on, &PageAt::first(1)).await.unwrap();
    assert_eq!(first.iter().map(|s| s.id).collect::<Vec<_>>(), vec![c.id]);
    let rest = tx
        .due_schedules(on, &PageAt::after(c.next_due, c.id.as_uuid(), 10))
        .await
        .unwrap();
    assert_eq!(rest.iter().map(|s| s.id).collect::<Vec<_>>(), vec![b.id]);
    // Ties on the due day are ordered by id and neither repeated nor skipped.
    let all = tx
        .due_schedules(day("2026-12-31"), &PageAt::first(10))
        .await
        .unwrap();
    let keys: Vec<_> = all.iter().map(|s| (s.next_due, s.id)).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(all.len(), 4);
    tx.commit().await.unwrap();
}

pub(super) async fn responses_keep_their_scores_and_page_newest_first(store: Arc<dyn Store>) {
    let store = &*store;
    let w = seed_world(store).await;
    let s = schedule(&w, "phq9", 14, "2026-11-01");
    let rec = |key: InstrumentKey, answers: Vec<Option<u8>>, at: DateTime<Utc>| {
        let inst = instrument::get(key);
        ResponseRecord {
            id: ResponseId::new(),
            patient_id: w.f.patient.id,
            schedule_id: (key == InstrumentKey::Phq9).then_some(s.id),
            instrument: key,
            instrument_version: inst.version,
            scores: instrument::score(inst, &answers).unwrap(),
            answers,
            answered_at: at,
            answered_by: w.patient.id,
            by_proxy: false,
        }
    };
    let mut missing9 = vec![Some(2); 9];
    missing9[8] = None;
    let r1 = rec(InstrumentKey::Phq9, vec![Some(1); 9], t0());
    // Two at the same instant: the id breaks the tie.
    let r2 = rec(InstrumentKey::Phq9, missing9, t0() + Duration::days(14));
    let r3 = rec(
        InstrumentKey::Gad7,
        vec![Some(3); 7],
        t0() + Duration::days(14),
    );
    let mut r4 = rec(
        InstrumentKey::Who5,
        vec![Some(4); 5],
        t0() + Duration::days(20),
    );
    r4.by_proxy = true;
    r4.answered_by = w.proxy.id;
    let mut tx = store.begin().await.unwrap();
    tx.insert_schedule(&s).await.unwrap();
    for r in [&r1, &r2, &r3, &r4] {
        tx.insert_response(r).await.unwrap();
    }
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.insert_response(&rec(InstrumentKey::Phq9, vec![Some(0); 9], t0()))
        .await
        .unwrap();
    drop(tx);

    let mut tx = store.begin_read().await.unwrap();
    let p = w.f.patient.id;
    let got = tx.get_response(p, r2.id).await.unwrap().unwrap();
    assert_eq!(got, r2);
    assert_eq!(got.scored().item9_state(), instrument::ItemNine::Unanswered);
    // Eight answers of 2 prorate to 18, stored as computed.
    assert_eq!(got.scores.total, Some(18));
    assert_eq!(
        tx.get_response(PatientId::new(), r2.id).await.unwrap(),
        None
    );
    assert_eq!(tx.get_response(p, r4.id).await.unwrap(), Some(r4.clone()));
    // Newest first, two per page, across the tie at +14 days.
    let mut tied = [&r2, &r3];
    tied.sort_by_key(|r| std::cmp::Reverse(r.id));
    let want: Vec<ResponseId> = [r4.id, tied[0].id, tied[1].id, r1.id].into();
    let mut seen = Vec::new();
    let mut page = PageAt::first(2);
    loop {
        let rows = tx.responses_page(p, None, &page).await.unwrap();
        assert!(rows.len() <= 2);
        let Some(last) = rows.last() else { break };
        page = PageAt::after(last.answered_at, last.id.as_uuid(), 2);
        seen.extend(rows.iter().map(|r| r.id));
    }
    assert_eq!(seen, want);
    let phq9 = tx
        .responses_page(p, Some(InstrumentKey::Phq9), &PageAt::first(10))
        .await
        .unwrap();
    assert_eq!(
        phq9.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![r2.id, r1.id]
    );
    assert!(tx
        .responses_page(PatientId::new(), None, &PageAt::first(10))
        .await
        .unwrap()
        .is_empty());
    tx.commit().await.unwrap();
}
