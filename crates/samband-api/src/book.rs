//! The API's router, built only from documented handlers: every route is added with
//! `utoipa_axum::routes!`, which registers the handler and its `#[utoipa::path]` in
//! one step, so a route cannot exist without its OpenAPI operation (there is no
//! `route` here that would take an undocumented one). The paths are also recorded,
//! for the tests that walk every route of the real router.

use samband_app::App;
use utoipa::openapi::OpenApi;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};

pub struct ApiBook {
    router: OpenApiRouter<App>,
    paths: Vec<String>,
}

impl ApiBook {
    pub fn new() -> Self {
        Self {
            router: OpenApiRouter::new(),
            paths: Vec::new(),
        }
    }

    /// Adds the handlers of one path (`routes!(get_x, put_x)`), documented as they say.
    pub fn routes(mut self, r: UtoipaMethodRouter<App>) -> Self {
        for path in r.1.paths.keys() {
            if !self.paths.contains(path) {
                self.paths.push(path.clone());
            }
        }
        self.router = self.router.routes(r);
        self
    }

    pub fn merge(mut self, other: ApiBook) -> Self {
        self.router = self.router.merge(other.router);
        for p in other.paths {
            if !self.paths.contains(&p) {
                self.paths.push(p);
            }
        }
        self
    }

    /// Every path template, in the order added (`/patients/{patient}`, …).
    pub fn paths(&self) -> &[String] {
        &self.paths
    }

    pub fn split(self) -> (axum::Router<App>, OpenApi) {
        self.router.split_for_parts()
    }
}
