//! The change log: every mutation records who changed what, in its own transaction, and the
//! same transaction writes the change's event and the webhook deliveries it owes (docs/events.md).
use crate::auth::Viewer;
use crate::domain::enums::{ChangeAction, StoredEnum};
use crate::domain::ids::IdKind;
use crate::error::AppResult;
use entity::{change_log, event};
use sea_orm::{ActiveModelTrait, ConnectionTrait, NotSet, Set};
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

    /// Field-by-field differences of two snapshots that serialise to JSON objects.
    pub fn between<T: serde::Serialize>(old: &T, new: &T) -> Self {
        let as_map = |v: &T| match serde_json::to_value(v) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        let (old, new) = (as_map(old), as_map(new));
        let mut diff = Diff::default();
        for (name, new_value) in new {
            let old_value = old.get(&name).cloned().unwrap_or(Value::Null);
            if old_value != new_value {
                diff.0
                    .insert(name, Value::Array(vec![old_value, new_value]));
            }
        }
        diff
    }

    /// Every field of a new object, as [null, value], skipping empty values.
    pub fn created<T: serde::Serialize>(new: &T) -> Self {
        let mut diff = Diff::default();
        if let Ok(Value::Object(map)) = serde_json::to_value(new) {
            for (name, value) in map {
                let empty = value.is_null() || value.as_array().is_some_and(|a| a.is_empty());
                if !empty {
                    diff.0.insert(name, Value::Array(vec![Value::Null, value]));
                }
            }
        }
        diff
    }

    /// Names of the changed fields.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    pub fn changed(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_value(self) -> Value {
        Value::Object(self.0)
    }
}

impl Diff {
    /// Writes the change-log row of one mutation, in the mutation's transaction. An update
    /// that changed nothing leaves no row.
    pub async fn record<C: ConnectionTrait>(
        self,
        db: &C,
        viewer: &Viewer,
        partner_id: &str,
        entity: (&'static str, &str),
        action: ChangeAction,
    ) -> AppResult<()> {
        if action == ChangeAction::Updated && self.is_empty() {
            return Ok(());
        }
        let (entity_type, entity_id) = entity;
        let at = crate::domain::now();
        change_log::ActiveModel {
            id: Set(IdKind::Change.new_id()),
            partner_id: Set(partner_id.to_string()),
            entity_type: Set(entity_type.to_string()),
            entity_id: Set(entity_id.to_string()),
            actor: Set(viewer.subject.clone()),
            action: Set(action.as_str().to_string()),
            changes: Set(self.into_value()),
            at: Set(at),
        }
        .insert(db)
        .await?;
        let event = event::ActiveModel {
            seq: NotSet,
            partner_id: Set(partner_id.to_string()),
            entity_type: Set(entity_type.to_string()),
            entity_id: Set(entity_id.to_string()),
            actor: Set(viewer.subject.clone()),
            action: Set(action.as_str().to_string()),
            at: Set(at),
        }
        .insert(db)
        .await?;
        crate::services::webhooks::enqueue(db, &event).await
    }
}
