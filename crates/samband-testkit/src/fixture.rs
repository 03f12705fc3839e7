//! A small world to test with: three organisations in three sectors, four
//! professionals, two patients with accounts, and an administrator.
//!
//! Patient P's team: care manager (coordinator), GP, NAV caseworker, and P themself.
//! Patient Q's team: the GP only (coordinator). The ER doctor is on no team.

use crate::TestApp;
use samband_app::directory::AccountInput;
use samband_app::Ctx;
use samband_domain::ids::*;
use samband_domain::patient::PatientInput;
use samband_domain::principal::{Principal, Scopes, Subject};
use samband_domain::professional::NewProfessional;
use samband_domain::team::MemberInput;

pub const PASSWORD: &str = "fixture-password-2026";

#[derive(Debug, Clone)]
pub struct World {
    pub p: PatientId,
    pub q: PatientId,
    pub gp: ProfessionalId,
    pub care_manager: ProfessionalId,
    pub nav: ProfessionalId,
    pub er: ProfessionalId,
    pub gp_org: OrganisationId,
    /// P's team members.
    pub m_care_manager: MemberId,
    pub m_gp: MemberId,
    pub m_nav: MemberId,
    pub m_patient: MemberId,
}

fn ctx(account: AccountId, subject: Subject) -> Ctx {
    Ctx {
        principal: Principal {
            account_id: account,
            display_name: "fixture".into(),
            subject,
            scopes: Scopes::ALL,
            locale: None,
        },
        request_id: None,
    }
}

impl TestApp {
    pub async fn world(&self) -> World {
        let app = &self.app;
        let admin = app
            .directory()
            .create_account(
                None,
                &AccountInput {
                    username: "admin".into(),
                    password: PASSWORD.into(),
                    role: "admin".into(),
                    display_name: "Admin".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let a = ctx(admin.id, Subject::Admin);
        let gp_org = app
            .directory()
            .create_organisation(&a, "Testby legesenter", "primary_care", Some("NO"))
            .await
            .unwrap();
        let nav_org = app
            .directory()
            .create_organisation(&a, "NAV Testby", "social_security", Some("NO"))
            .await
            .unwrap();
        let er_org = app
            .directory()
            .create_organisation(&a, "Testby akuttmottak", "specialist_health", Some("NO"))
            .await
            .unwrap();
        let mut pros = Vec::new();
        for (user, name, title, org) in [
            ("gp", "Gunnar Lege", "GP", gp_org.id),
            ("cm", "Cecilie Koordinator", "Care manager", gp_org.id),
            ("nav", "Nina Veileder", "NAV supervisor", nav_org.id),
            ("er", "Erik Akutt", "Emergency physician", er_org.id),
        ] {
            let p = app
                .directory()
                .create_professional(
                    &a,
                    NewProfessional::parse(
                        name,
                        title,
                        vec![org],
                        Some("+47 22 00 00 00"),
                        None,
                        None,
                    )
                    .unwrap(),
                )
                .await
                .unwrap();
            let acc = app
                .directory()
                .create_account(
                    Some(&a),
                    &AccountInput {
                        username: user.into(),
                        password: PASSWORD.into(),
                        role: "professional".into(),
                        display_name: name.into(),
                        professional_id: Some(p.id),
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            pros.push((p.id, acc.id));
        }
        let (gp, cm, nav, er) = (pros[0], pros[1], pros[2], pros[3]);
        let cm_ctx = ctx(cm.1, Subject::Professional(cm.0));
        let gp_ctx = ctx(gp.1, Subject::Professional(gp.0));
        let input = |name: &'static str, birth: &'static str| PatientInput {
            name,
            birth_date: birth,
            national_id_country: None,
            national_id: None,
            preferred_contact: "in_app",
            phone: None,
            email: None,
        };
        let p = app
            .patients()
            .register(
                &cm_ctx,
                input("Pia Pasient", "1980-02-03"),
                "Care manager",
                "Coordinates the plan",
            )
            .await
            .unwrap();
        let q = app
            .patients()
            .register(
                &gp_ctx,
                input("Quentin Annen", "1975-07-08"),
                "GP",
                "Everything medical",
            )
            .await
            .unwrap();
        let today = app.today().to_string();
        for (pro, role, resp) in [
            (gp.0, "GP", "Responsible for medication"),
            (nav.0, "NAV supervisor", "Work-capacity follow-up"),
        ] {
            let v = app
                .patients()
                .overview(&cm_ctx, p)
                .await
                .unwrap()
                .team
                .version;
            let m = MemberInput {
                kind: "professional".into(),
                professional_id: Some(pro),
                role: role.into(),
                responsibility: resp.into(),
                active_from: today.clone(),
                ..Default::default()
            };
            app.team()
                .save_member(&cm_ctx, p, None, &m, v, None)
                .await
                .unwrap();
        }
        let v = app
            .patients()
            .overview(&cm_ctx, p)
            .await
            .unwrap()
            .team
            .version;
        let m = MemberInput {
            kind: "patient".into(),
            role: "Patient".into(),
            responsibility: "Says what matters".into(),
            active_from: today.clone(),
            ..Default::default()
        };
        let team = app
            .team()
            .save_member(&cm_ctx, p, None, &m, v, None)
            .await
            .unwrap();
        for (user, name, pid) in [("pia", "Pia Pasient", p), ("quentin", "Quentin Annen", q)] {
            app.directory()
                .create_account(
                    Some(&a),
                    &AccountInput {
                        username: user.into(),
                        password: PASSWORD.into(),
                        role: "patient".into(),
                        display_name: name.into(),
                        patient_id: Some(pid),
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
        }
        let member_of = |pro: ProfessionalId| {
            team.members
                .iter()
                .find(|m| m.professional_id == Some(pro))
                .unwrap()
                .id
        };
        World {
            p,
            q,
            gp: gp.0,
            care_manager: cm.0,
            nav: nav.0,
            er: er.0,
            gp_org: gp_org.id,
            m_care_manager: member_of(cm.0),
            m_gp: member_of(gp.0),
            m_nav: member_of(nav.0),
            m_patient: team
                .members
                .iter()
                .find(|m| m.professional_id.is_none())
                .unwrap()
                .id,
        }
    }
}
