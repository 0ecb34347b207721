//! Checks on the parsed request, before validation and execution: alias count and depth
//! (introspection excluded, so GraphiQL works), write scope for mutations, and containment of
//! resolver panics.
use crate::auth::Viewer;
use crate::error::AppError;
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextResolve, ResolveInfo,
};
use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::{Name, Pos, ServerError, ServerResult, Value, Variables};
use futures_util::FutureExt;
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

/// Deepest selection allowed, counting object fields (Relay's edges/node included).
pub const MAX_DEPTH: usize = 10;
/// Most aliases in one document.
pub const MAX_ALIASES: usize = 30;

pub struct RequestPolicy;

impl ExtensionFactory for RequestPolicy {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RequestPolicyExtension)
    }
}

struct RequestPolicyExtension;

fn refuse(err: AppError) -> ServerError {
    async_graphql::Error::from(err).into_server_error(Pos::default())
}

#[async_trait::async_trait]
impl Extension for RequestPolicyExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        let aliases = count_aliases(&doc);
        if aliases > MAX_ALIASES {
            return Err(refuse(AppError::QueryTooComplex(format!(
                "the query uses {aliases} aliases; at most {MAX_ALIASES} are allowed"
            ))));
        }
        let depth = max_depth(&doc);
        if depth > MAX_DEPTH {
            return Err(refuse(AppError::QueryTooComplex(format!(
                "the query is {depth} levels deep; at most {MAX_DEPTH} are allowed"
            ))));
        }
        let has_mutation = doc
            .operations
            .iter()
            .any(|(_, op)| op.node.ty == OperationType::Mutation);
        if has_mutation && !ctx.data_opt::<Viewer>().is_some_and(Viewer::can_write) {
            return Err(refuse(AppError::Forbidden(
                "this token lacks the cosell:write scope".into(),
            )));
        }
        Ok(doc)
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let path = info.path_node.to_string();
        match AssertUnwindSafe(next.run(ctx, info)).catch_unwind().await {
            Ok(result) => result,
            Err(_) => Err(refuse(AppError::internal(format!(
                "resolver panicked at {path}"
            )))),
        }
    }
}

fn count_aliases(doc: &ExecutableDocument) -> usize {
    fn count(set: &SelectionSet) -> usize {
        set.items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(f) => {
                    usize::from(f.node.alias.is_some()) + count(&f.node.selection_set.node)
                }
                Selection::InlineFragment(i) => count(&i.node.selection_set.node),
                Selection::FragmentSpread(_) => 0,
            })
            .sum()
    }
    doc.operations
        .iter()
        .map(|(_, op)| count(&op.node.selection_set.node))
        .sum::<usize>()
        + doc
            .fragments
            .values()
            .map(|f| count(&f.node.selection_set.node))
            .sum::<usize>()
}

/// Depth with fragments expanded (memoised, cycles cut: validation rejects them later).
fn max_depth(doc: &ExecutableDocument) -> usize {
    fn depth(
        set: &SelectionSet,
        doc: &ExecutableDocument,
        memo: &mut HashMap<Name, usize>,
        stack: &mut Vec<Name>,
    ) -> usize {
        set.items
            .iter()
            .map(|item| match &item.node {
                // Introspection (`__schema`, `__type`, `__typename`) is not data and not counted.
                Selection::Field(f) if f.node.name.node.starts_with("__") => 0,
                Selection::Field(f) => 1 + depth(&f.node.selection_set.node, doc, memo, stack),
                Selection::InlineFragment(i) => depth(&i.node.selection_set.node, doc, memo, stack),
                Selection::FragmentSpread(s) => {
                    let name = &s.node.fragment_name.node;
                    if let Some(d) = memo.get(name) {
                        return *d;
                    }
                    if stack.contains(name) {
                        return 0;
                    }
                    let Some(fragment) = doc.fragments.get(name) else {
                        return 0;
                    };
                    stack.push(name.clone());
                    let d = depth(&fragment.node.selection_set.node, doc, memo, stack);
                    stack.pop();
                    memo.insert(name.clone(), d);
                    d
                }
            })
            .max()
            .unwrap_or(0)
    }
    let mut memo = HashMap::new();
    doc.operations
        .iter()
        .map(|(_, op)| depth(&op.node.selection_set.node, doc, &mut memo, &mut Vec::new()))
        .max()
        .unwrap_or(0)
}
