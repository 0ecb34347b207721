//! The change log: every mutation records who changed what, in its own transaction.
use crate::auth::Viewer;
use crate::domain::ids::IdKind;
use crate::error::AppResult;
use entity::change_log;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde_json::{Map, Value};

/// Field-level differences `{ field: [old, new] }`, collected as a mutation applies a patch.
#[derive(Default)]
pub struct Diff(Map<String, Value>);

impl Diff {
    pub fn field<T: serde::Serialize + PartialEq>(&mut self, name: &str, old: &T, new: &T) {
        if old != new {
            self.0.insert(
                name.to_string(),
                Value::Array(vec![
                    serde_json::to_value(old).unwrap_or(Value::Null),
                    serde_json::to_value(new).unwrap_or(Value::Null),
                ]),
            );
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_value(self) -> Value {
        Value::Object(self.0)
    }
}

pub struct Entry<'a> {
    pub partner_id: &'a str,
    pub entity_type: &'static str,
    pub entity_id: &'a str,
    pub action: &'static str,
    pub changes: Value,
}

pub async fn record<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    entry: Entry<'_>,
) -> AppResult<()> {
    change_log::ActiveModel {
        id: Set(IdKind::Change.new_id()),
        partner_id: Set(entry.partner_id.to_string()),
        entity_type: Set(entry.entity_type.to_string()),
        entity_id: Set(entry.entity_id.to_string()),
        actor: Set(viewer.subject.clone()),
        action: Set(entry.action.to_string()),
        changes: Set(entry.changes),
        at: Set(crate::domain::now()),
    }
    .insert(db)
    .await?;
    Ok(())
}
