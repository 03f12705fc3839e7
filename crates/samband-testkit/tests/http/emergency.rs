//! Emergency numbers follow where the patient lives (their national identifier, else
//! their team's organisations, else the deployment), never the language they read in.

use samband_app::AppConfig;
use samband_domain::country::Country;
use samband_testkit::fixture::PASSWORD;
use samband_testkit::{Api, Backend, Browser, TestApp};
use serde_json::json;

both_backends!(
    emergency_numbers_follow_the_patients_country_in_every_language,
    without_a_national_id_or_a_stated_country_the_deployment_decides,
);

/// What a page must (and must not) show for a patient in `country`.
/// Whether `page` shows the number `n` as a number: not as a run of digits inside an
/// id, a token or a hash (a page full of UUIDs holds "113" somewhere by chance).
fn shows_number(page: &str, n: &str) -> bool {
    let b = page.as_bytes();
    page.match_indices(n).any(|(i, _)| {
        let before = i.checked_sub(1).map(|k| b[k]);
        let after = b.get(i + n.len()).copied();
        let apart = |c: Option<u8>| c.is_none_or(|c| !c.is_ascii_alphanumeric());
        apart(before) && apart(after)
    })
}

#[test]
fn a_number_inside_an_id_is_not_shown() {
    assert!(shows_number("<a href=\"tel:113\">113</a>", "113"));
    assert!(shows_number("call 113.", "113"));
    assert!(!shows_number("/patients/01a2329f-d113e-7026", "113"));
    assert!(!shows_number("id=1130", "113"));
    assert!(!shows_number("a8113", "113"));
}

fn assert_numbers(page: &str, country: Country, what: &str) {
    let medical = match country {
        Country::Norway => r#"data-service="medical"><a class="number" href="tel:113">113</a>"#,
        Country::Denmark => {
            r#"data-service="all_emergencies"><a class="number" href="tel:112">112</a>"#
        }
    };
    assert!(
        page.contains(medical),
        "{what}: the medical emergency number for {country} should be shown"
    );
    assert!(
        page.contains(&format!(r#"data-country="{}""#, country.as_str())),
        "{what}: marked with the patient's country"
    );
    match country {
        Country::Denmark => {
            assert!(
                !shows_number(page, "113"),
                "{what}: Norway's 113 shown to a Danish patient"
            );
            assert!(
                !page.contains(r#"data-service="medical""#),
                "{what}: a Norwegian-style medical line shown to a Danish patient"
            );
        }
        Country::Norway => {
            assert!(
                !shows_number(page, "1813"),
                "{what}: Denmark's 1813 shown in Norway"
            );
            assert!(
                !page.contains(r#"data-service="all_emergencies""#),
                "{what}: Denmark's all-in-one 112 shown to a Norwegian patient"
            );
        }
    }
}

/// The line on the patient's own pages that names only the medical number.
fn assert_call_line(page: &str, country: Country, what: &str) {
    let (right, wrong) = match country {
        Country::Norway => ("113", "112"),
        Country::Denmark => ("112", "113"),
    };
    let line_start = page
        .find(r#"class="emergency-line""#)
        .unwrap_or_else(|| panic!("{what}: no emergency line"));
    let line = &page[line_start..line_start + page[line_start..].find("</p>").unwrap()];
    assert!(line.contains(right), "{what}: {line}");
    assert!(!line.contains(wrong), "{what}: {line}");
    assert!(
        line.contains(&format!(r#"data-country="{}""#, country.as_str())),
        "{what}: {line}"
    );
}

async fn in_language(b: &Browser, lang: &str) {
    let r = b.get(&format!("/lang/{lang}?next=/")).await;
    assert_eq!(r.status, 303, "the language switcher redirects");
}

/// The words each language uses for the medical emergency line, by country.
fn service_words(lang: &str, country: Country) -> &'static str {
    match (lang, country) {
        ("en", Country::Norway) => "Ambulance – when life or health is in danger",
        ("nb", Country::Norway) => "Ambulanse – når liv eller helse er i fare",
        ("da", Country::Norway) => "Ambulance – når liv eller helbred er i fare",
        ("en", Country::Denmark) => "Ambulance, fire and police",
        ("nb", Country::Denmark) => "Ambulanse, brann og politi",
        ("da", Country::Denmark) => "Ambulance, brand og politi",
        _ => unreachable!(),
    }
}

struct Patient {
    id: String,
    username: String,
    country: Country,
}

#[allow(clippy::too_many_arguments)]
async fn register(
    admin: &Api,
    coordinator: &Api,
    username: &str,
    name: &str,
    birth: &str,
    national_id: Option<(&str, &str)>,
    country: Country,
) -> Patient {
    let mut body = json!({"name": name, "birth_date": birth, "preferred_contact": "in_app", "my_role": "Coordinator", "my_responsibility": "Keeps the plan current"});
    if let Some((c, n)) = national_id {
        body["national_id_country"] = json!(c);
        body["national_id"] = json!(n);
    }
    let r = coordinator.post("/api/v1/patients", body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.body["patient"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        r.body["country"],
        json!(country.as_str()),
        "{name}'s country in the API"
    );
    let r = admin
        .post(
            "/api/v1/accounts",
            json!({"username": username, "password": PASSWORD, "role": "patient", "display_name": name, "patient_id": id}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    Patient {
        id,
        username: username.into(),
        country,
    }
}

async fn emergency_numbers_follow_the_patients_country_in_every_language(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let admin = t.api(&t.token("admin").await);
    // A Danish practice with its own professional.
    let r = admin
        .post(
            "/api/v1/organisations",
            json!({"name": "Lægehuset Nørrebro", "sector": "primary_care", "country": "DK"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["country"], "DK");
    let dk_org = r.body["id"].as_str().unwrap().to_owned();
    let r = admin
        .post(
            "/api/v1/professionals",
            json!({"name": "Sofie Læge", "title": "GP", "organisation_ids": [dk_org]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let sofie = r.body["id"].as_str().unwrap().to_owned();
    let r = admin
        .post(
            "/api/v1/accounts",
            json!({"username": "sofie", "password": PASSWORD, "role": "professional", "display_name": "Sofie Læge", "professional_id": sofie}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let dk_gp = t.api(&t.token("sofie").await);
    let no_cm = t.api(&t.token("cm").await);

    let fnr = samband_domain::national_id::synthetic_fnr(
        chrono::NaiveDate::from_ymd_opt(1985, 4, 17).unwrap(),
        7,
    )
    .unwrap();
    let patients = [
        // A Danish CPR number decides, even on a team in Norway.
        register(
            &admin,
            &no_cm,
            "dorte",
            "Dorte Danskborn",
            "1990-03-02",
            Some(("DK", "0203904321")),
            Country::Denmark,
        )
        .await,
        // A Norwegian number decides, even at a Danish practice.
        register(
            &admin,
            &dk_gp,
            "nils",
            "Nils Nordmann",
            "1985-04-17",
            Some(("NO", &fnr)),
            Country::Norway,
        )
        .await,
        // No number: where the team works (the coordinator's Danish practice).
        register(
            &admin,
            &dk_gp,
            "mette",
            "Mette Udennummer",
            "1970-05-06",
            None,
            Country::Denmark,
        )
        .await,
        // No number, a team in Norway (the fixture's Pia).
        Patient {
            id: w.p.to_string(),
            username: "pia".into(),
            country: Country::Norway,
        },
    ];

    for p in &patients {
        // The patient's own pages.
        let me = t.browser();
        me.login(&p.username, PASSWORD).await;
        for lang in ["en", "nb", "da"] {
            in_language(&me, lang).await;
            let what = |page: &str| format!("{} ({lang}), {page}", p.username);
            let crisis = me.get("/me/crisis-plan").await;
            assert_eq!(crisis.status, 200, "{}", what("/me/crisis-plan"));
            assert!(
                crisis.text.contains(&format!("<html lang=\"{lang}\"")),
                "{}",
                what("the page is in the chosen language")
            );
            assert_numbers(&crisis.text, p.country, &what("/me/crisis-plan"));
            assert!(
                crisis.text.contains(service_words(lang, p.country)),
                "{}",
                what("/me/crisis-plan in words")
            );
            let plan = me.get("/me").await;
            assert_eq!(plan.status, 200);
            assert_call_line(&plan.text, p.country, &what("/me"));
            let messages = me.get("/me/messages").await;
            assert_eq!(messages.status, 200);
            assert_call_line(&messages.text, p.country, &what("/me/messages"));
        }
        // The professionals' pages: the coordinator's overview and crisis-plan form.
        let coordinator = t.browser();
        let who = match p.username.as_str() {
            "dorte" | "pia" => "cm",
            _ => "sofie",
        };
        coordinator.login(who, PASSWORD).await;
        for lang in ["en", "nb", "da"] {
            in_language(&coordinator, lang).await;
            for path in [
                format!("/patients/{}", p.id),
                format!("/patients/{}/crisis-plan/edit", p.id),
            ] {
                let page = coordinator.get(&path).await;
                assert_eq!(page.status, 200, "{path}");
                let what = format!("{} seen by {who} ({lang}), {path}", p.username);
                assert_numbers(&page.text, p.country, &what);
                assert!(
                    page.text.contains(service_words(lang, p.country)),
                    "{what} in words"
                );
            }
        }
    }
}

async fn without_a_national_id_or_a_stated_country_the_deployment_decides(b: Backend) {
    let config = AppConfig {
        default_country: Country::Denmark,
        ..AppConfig::default()
    };
    let t = TestApp::start_with(b, config).await;
    t.world().await;
    let admin = t.api(&t.token("admin").await);
    let r = admin
        .post(
            "/api/v1/organisations",
            json!({"name": "Kommunen", "sector": "municipal_care"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["country"], serde_json::Value::Null, "not stated");
    let org = r.body["id"].as_str().unwrap().to_owned();
    let r = admin
        .post(
            "/api/v1/professionals",
            json!({"name": "Kim Sygeplejerske", "title": "Nurse", "organisation_ids": [org]}),
        )
        .await;
    let pro = r.body["id"].as_str().unwrap().to_owned();
    admin
        .post(
            "/api/v1/accounts",
            json!({"username": "kim", "password": PASSWORD, "role": "professional", "display_name": "Kim", "professional_id": pro}),
        )
        .await;
    let kim = t.api(&t.token("kim").await);
    let p = register(
        &admin,
        &kim,
        "ulla",
        "Ulla Uoplyst",
        "1960-01-01",
        None,
        Country::Denmark,
    )
    .await;
    let me = t.browser();
    me.login("ulla", PASSWORD).await;
    in_language(&me, "nb").await;
    let crisis = me.get("/me/crisis-plan").await;
    assert_numbers(&crisis.text, Country::Denmark, "the deployment's country");
    // An unknown country is refused at the field.
    let r = admin
        .post(
            "/api/v1/organisations",
            json!({"name": "Vårdcentralen", "sector": "primary_care", "country": "SE"}),
        )
        .await;
    assert_eq!((r.status, r.error_fields()), (422, vec!["country".into()]));
    let _ = p.id;
}
