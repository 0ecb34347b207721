//! Nested lists under a list of parents (`partners { opportunities { asks } } }`) load every
//! parent's first page in one statement per level: the field asks the loader for its parent's
//! page under a spec (filter, order, size), and the loader answers all parents that asked with
//! the same spec at once (`Keyset::first_pages`). A page after a cursor is one parent's and is
//! read on its own.
use crate::auth::Viewer;
use crate::data;
use crate::data::page::{Page, PageArgs};
use crate::error::{AppError, AppResult};
use async_graphql::dataloader::Loader;
use futures_util::future::BoxFuture;
use sea_orm::{DatabaseConnection, DbErr};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// What a nested list asks of its parents' rows.
pub trait Spec: std::fmt::Debug + Send + Sync + 'static {
    type Row: Clone + Send + Sync + 'static;
    fn pages<'a>(
        &'a self,
        db: &'a DatabaseConnection,
        viewer: &'a Viewer,
        parents: &'a [String],
    ) -> BoxFuture<'a, AppResult<HashMap<String, Page<Self::Row>>>>;
}

/// One parent's page under a spec. Keys of siblings with the same spec share a query.
pub struct PageKey<S> {
    pub spec: Arc<S>,
    /// The spec's identity (its Debug form: filter, order, size, totals).
    canonical: Arc<str>,
    pub parent: String,
}

impl<S: Spec> PageKey<S> {
    pub fn new(spec: S, parent: &str) -> Self {
        PageKey {
            canonical: format!("{spec:?}").into(),
            spec: Arc::new(spec),
            parent: parent.to_string(),
        }
    }
}

impl<S> Clone for PageKey<S> {
    fn clone(&self) -> Self {
        PageKey {
            spec: self.spec.clone(),
            canonical: self.canonical.clone(),
            parent: self.parent.clone(),
        }
    }
}

impl<S> PartialEq for PageKey<S> {
    fn eq(&self, other: &Self) -> bool {
        self.canonical == other.canonical && self.parent == other.parent
    }
}

impl<S> Eq for PageKey<S> {}

impl<S> Hash for PageKey<S> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.canonical.hash(state);
        self.parent.hash(state);
    }
}

pub struct NestedPages<S> {
    db: DatabaseConnection,
    viewer: Viewer,
    _spec: std::marker::PhantomData<fn() -> S>,
}

impl<S> NestedPages<S> {
    pub fn new(db: DatabaseConnection, viewer: Viewer) -> Self {
        NestedPages {
            db,
            viewer,
            _spec: std::marker::PhantomData,
        }
    }
}

fn db_error(e: AppError) -> DbErr {
    DbErr::Custom(format!("{e:?}"))
}

impl<S: Spec> Loader<PageKey<S>> for NestedPages<S> {
    /// Shared: the loader hands each caller a clone of its value, and a page of full rows is
    /// costly to copy (see `lists::nested_page`).
    type Value = Arc<Page<S::Row>>;
    type Error = DbErr;

    async fn load(
        &self,
        keys: &[PageKey<S>],
    ) -> Result<HashMap<PageKey<S>, Self::Value>, Self::Error> {
        let mut groups: HashMap<Arc<str>, Vec<&PageKey<S>>> = HashMap::new();
        for key in keys {
            groups.entry(key.canonical.clone()).or_default().push(key);
        }
        let mut out = HashMap::new();
        for group in groups.values() {
            let parents: Vec<String> = group.iter().map(|k| k.parent.clone()).collect();
            let mut pages = group[0]
                .spec
                .pages(&self.db, &self.viewer, &parents)
                .await
                .map_err(db_error)?;
            for key in group {
                if let Some(page) = pages.remove(&key.parent) {
                    out.insert((*key).clone(), Arc::new(page));
                }
            }
        }
        Ok(out)
    }
}

/// A spec's loading: the data-layer function that answers its parents' first pages.
macro_rules! spec {
    ($spec:ty, $row:ty, |$s:ident, $db:ident, $viewer:ident, $parents:ident| $load:expr) => {
        impl Spec for $spec {
            type Row = $row;
            fn pages<'a>(
                &'a self,
                $db: &'a DatabaseConnection,
                $viewer: &'a Viewer,
                $parents: &'a [String],
            ) -> BoxFuture<'a, AppResult<HashMap<String, Page<Self::Row>>>> {
                let $s = self;
                Box::pin($load)
            }
        }
    };
}

/// `Opportunity.history`.
#[derive(Debug)]
pub struct History {
    pub args: PageArgs,
    pub with_total: bool,
}

spec!(
    History,
    entity::change_log::Model,
    |s, db, viewer, parents| data::changes::first_histories(
        db,
        viewer,
        parents,
        &s.args,
        s.with_total
    )
);

/// `Partner.customers`.
#[derive(Debug)]
pub struct Customers {
    pub filter: data::customers::CustomerFilter,
    pub order: (data::customers::CustomerOrderField, bool),
    pub args: PageArgs,
    pub with_total: bool,
}

spec!(
    Customers,
    entity::customer::Model,
    |s, db, viewer, parents| data::customers::first_pages(
        db,
        viewer,
        &s.filter,
        s.order,
        parents,
        &s.args,
        s.with_total
    )
);

/// `Partner.opportunities`, `Customer.opportunities`.
#[derive(Debug)]
pub struct Opportunities {
    pub filter: data::opportunities::OpportunityFilter,
    pub order: (data::opportunities::OpportunityOrderField, bool),
    pub parent: data::opportunities::Parent,
    pub args: PageArgs,
    pub with_total: bool,
}

spec!(
    Opportunities,
    (entity::opportunity::Model, serde_json::Value),
    |s, db, viewer, parents| data::opportunities::first_pages(
        db,
        viewer,
        &s.filter,
        s.order,
        s.parent,
        parents,
        &s.args,
        s.with_total
    )
);

/// `Partner.asks`, `Opportunity.asks`.
#[derive(Debug)]
pub struct Asks {
    pub filter: data::asks::AskFilter,
    pub order: (data::asks::AskOrderField, bool),
    pub parent: data::asks::Parent,
    pub args: PageArgs,
    pub with_total: bool,
    pub today: chrono::NaiveDate,
}

spec!(Asks, entity::ask::Model, |s, db, viewer, parents| {
    data::asks::first_pages(
        db,
        viewer,
        &s.filter,
        s.order,
        s.parent,
        parents,
        &s.args,
        s.with_total,
        s.today,
    )
});
