//! The one write path of versioned objects (opportunities, asks): the version check, the
//! conditional update, the history entry and the commit. Of two concurrent writers from the
//! same version exactly one wins; the other gets CONFLICT naming the version it must read.
use crate::auth::Viewer;
use crate::domain::enums::ChangeAction;
use crate::error::{AppError, AppResult};
use crate::services::history::Diff;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter};

/// An entity with an `id`, a `version` and an owning partner.
pub trait Versioned: EntityTrait {
    /// The name in history entries (`"Opportunity"`) and, lower-cased, in NOT_FOUND.
    const KIND: &'static str;
    const NOT_FOUND: &'static str;
    fn id_column() -> Self::Column;
    fn version_column() -> Self::Column;
    fn id(m: &Self::Model) -> &str;
    fn version(m: &Self::Model) -> i32;
    fn partner_id(m: &Self::Model) -> &str;
}

/// CONFLICT unless `expected` (when given) is the stored version.
pub fn check_version(expected: Option<i32>, current: i32) -> AppResult<()> {
    match expected {
        Some(expected) if expected != current => Err(AppError::StaleVersion { expected, current }),
        _ => Ok(()),
    }
}

/// Writes the columns `model` sets if `current` is still the stored version, records `diff`
/// and commits. Callers set the new version and timestamps they want to move.
pub async fn write<E: Versioned>(
    txn: crate::db::WriteTxn,
    viewer: &Viewer,
    current: &E::Model,
    model: E::ActiveModel,
    diff: Diff,
    action: ChangeAction,
) -> AppResult<E::Model>
where
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
    E::Model: Sync,
{
    let id = E::id(current).to_string();
    let result = E::update_many()
        .set(model)
        .filter(E::id_column().eq(id.as_str()))
        .filter(E::version_column().eq(E::version(current)))
        .exec(&txn)
        .await?;
    let stored = E::find()
        .filter(E::id_column().eq(id.as_str()))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound(E::NOT_FOUND))?;
    if result.rows_affected != 1 {
        return Err(AppError::StaleVersion {
            expected: E::version(current),
            current: E::version(&stored),
        });
    }
    diff.record(&txn, viewer, E::partner_id(&stored), (E::KIND, &id), action)
        .await?;
    txn.commit().await?;
    Ok(stored)
}

/// Opportunities and asks have the same columns for it.
macro_rules! versioned {
    ($module:ident, $kind:literal, $not_found:literal) => {
        impl Versioned for entity::$module::Entity {
            const KIND: &'static str = $kind;
            const NOT_FOUND: &'static str = $not_found;
            fn id_column() -> Self::Column {
                entity::$module::Column::Id
            }
            fn version_column() -> Self::Column {
                entity::$module::Column::Version
            }
            fn id(m: &Self::Model) -> &str {
                &m.id
            }
            fn version(m: &Self::Model) -> i32 {
                m.version
            }
            fn partner_id(m: &Self::Model) -> &str {
                &m.partner_id
            }
        }
    };
}

versioned!(opportunity, "Opportunity", "opportunity");
versioned!(ask, "Ask", "ask");
