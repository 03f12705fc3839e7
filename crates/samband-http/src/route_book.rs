//! A router that remembers the paths it was given, so tests can walk every route of
//! the real router (asking it which methods each path answers) instead of a hand-kept
//! list that a new route slips past.

use axum::routing::MethodRouter;
use axum::Router;

pub struct RouteBook<S> {
    router: Router<S>,
    paths: Vec<&'static str>,
}

impl<S: Clone + Send + Sync + 'static> Default for RouteBook<S> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: Clone + Send + Sync + 'static> RouteBook<S> {
    pub fn new() -> Self {
        Self {
            router: Router::new(),
            paths: Vec::new(),
        }
    }

    /// As [`Router::route`], and the path is recorded.
    pub fn route(mut self, path: &'static str, method_router: MethodRouter<S>) -> Self {
        self.router = self.router.route(path, method_router);
        self.paths.push(path);
        self
    }

    /// As [`Router::merge`], keeping both books' paths.
    pub fn merge(mut self, other: RouteBook<S>) -> Self {
        self.router = self.router.merge(other.router);
        self.paths.extend(other.paths);
        self
    }

    /// Every path template, in the order added (`/patients/{patient}`, …).
    pub fn paths(&self) -> &[&'static str] {
        &self.paths
    }

    pub fn into_router(self) -> Router<S> {
        self.router
    }
}
