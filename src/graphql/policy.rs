//! Checks on the parsed request, before validation and execution: alias count and depth
//! (introspection excluded, so GraphiQL works), write scope for mutations, and containment of
//! resolver panics.
use crate::auth::Viewer;
use crate::error::AppError;
use crate::error::FieldCode;
use crate::error::FieldError;
use async_graphql::Value as ConstValue;
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextResolve, NextValidation,
    ResolveInfo,
};
use async_graphql::parser::types::{
    ExecutableDocument, Field, OperationType, Selection, SelectionSet,
};
use async_graphql::{Name, Pos, ServerError, ServerResult, Value, Variables};
use async_graphql_value::Value as LiteralValue;
use futures_util::FutureExt;
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

/// Deepest selection allowed, counting object fields (Relay's edges/node included).
pub const MAX_DEPTH: usize = 10;
/// Cost budget: connection fields cost `first × node`, other fields 1, so the cost is the most
/// values a response can hold (async-graphql computes it during validation, before any
/// resolver runs; this extension enforces it). Nested lists load one statement per level
/// (`graphql/nested.rs`), so the database does not multiply with the parents; what is left
/// to bound is the response. 100,000 lets the largest dashboards through (10 partners × 50
/// opportunities × their default 20 asks, with their fields: about 64,000) and refuses amplification
/// (6 aliases × `nodes` of 100 ids × 4 aliases × 100 asks costs 480,000).
pub const MAX_COMPLEXITY: usize = 100_000;
/// Most aliases in one document.
pub const MAX_ALIASES: usize = 30;

pub struct RequestPolicy {
    /// Whether `__schema` and `__type` may be asked for.
    pub introspection: bool,
}

impl ExtensionFactory for RequestPolicy {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RequestPolicyExtension {
            introspection: self.introspection,
        })
    }
}

struct RequestPolicyExtension {
    introspection: bool,
}

/// A refusal of the whole document: no location (there is no one place to point at).
fn refuse(err: AppError) -> ServerError {
    let mut error = async_graphql::Error::from(err).into_server_error(Pos::default());
    error.locations.clear();
    error
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
        let bad = control_characters(&doc, variables);
        if !bad.is_empty() {
            return Err(refuse(AppError::BadInput(bad)));
        }
        let aliases = count_aliases(&doc);
        if aliases > MAX_ALIASES {
            return Err(refuse(AppError::QueryTooComplex(format!(
                "the query uses {aliases} aliases; at most {MAX_ALIASES} are allowed"
            ))));
        }
        if !self.introspection
            && walk(
                &doc,
                &|f| usize::from(matches!(f.name.node.as_str(), "__schema" | "__type")),
                &|_, children| children,
            ) > 0
        {
            return Err(refuse(AppError::Forbidden(
                "introspection is turned off on this server".into(),
            )));
        }
        let introspection = introspection_cost(&doc);
        if introspection > MAX_INTROSPECTION_COST {
            return Err(refuse(AppError::QueryTooComplex(format!(
                "the query's introspection costs {introspection}; at most {MAX_INTROSPECTION_COST} is allowed"
            ))));
        }
        let depth = max_depth(&doc);
        if depth > MAX_DEPTH {
            return Err(refuse(AppError::QueryTooComplex(format!(
                "the query is {depth} levels deep; at most {MAX_DEPTH} are allowed"
            ))));
        }
        let has = |ty: OperationType| doc.operations.iter().any(|(_, op)| op.node.ty == ty);
        let viewer = ctx.data_opt::<Viewer>();
        if has(OperationType::Mutation) && !viewer.is_some_and(Viewer::can_write) {
            return Err(refuse(AppError::Forbidden(
                "this token lacks the cosell:write scope".into(),
            )));
        }
        if has(OperationType::Query) && !viewer.is_some_and(Viewer::can_read) {
            return Err(refuse(AppError::Forbidden(
                "this token lacks the cosell:read scope".into(),
            )));
        }
        Ok(doc)
    }

    /// The complexity budget, checked here rather than by async-graphql so the refusal states
    /// the cost and the limit.
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<async_graphql::ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        if result.complexity > MAX_COMPLEXITY {
            return Err(vec![refuse(AppError::QueryTooComplex(format!(
                "the query costs {}; at most {MAX_COMPLEXITY} is allowed (a connection costs `first` times its selection)",
                result.complexity
            )))]);
        }
        Ok(result)
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        // Every field passes here: the path is formatted only when a resolver panicked.
        let path = info.path_node;
        match AssertUnwindSafe(next.run(ctx, info)).catch_unwind().await {
            Ok(result) => result,
            Err(_) => Err(refuse(AppError::internal(format!(
                "resolver panicked at {path}"
            )))),
        }
    }
}

/// Whether a character has no place in any text this API stores: C0 controls other than tab,
/// line feed and carriage return (NUL among them, which PostgreSQL cannot store), DEL, C1
/// controls, and the bidirectional overrides and isolates that make a name display as
/// something else.
fn is_forbidden_char(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Every string in the variables and in the document's arguments that holds a forbidden
/// character, named by where it is (`variables.input.name`, `createPartner(input).name`).
fn control_characters(doc: &ExecutableDocument, variables: &Variables) -> Vec<FieldError> {
    fn check(path: String, value: &ConstValue, out: &mut Vec<FieldError>) {
        match value {
            ConstValue::String(s) if s.chars().any(is_forbidden_char) => {
                out.push(FieldError::new(
                    &path,
                    FieldCode::InvalidStringFormat,
                    "control characters and bidirectional overrides are not allowed",
                ));
            }
            ConstValue::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    check(format!("{path}[{i}]"), item, out);
                }
            }
            ConstValue::Object(map) => {
                for (key, item) in map {
                    check(format!("{path}.{key}"), item, out);
                }
            }
            _ => {}
        }
    }
    fn check_literal(path: String, value: &LiteralValue, out: &mut Vec<FieldError>) {
        match value {
            LiteralValue::String(text) if text.chars().any(is_forbidden_char) => {
                check(path, &ConstValue::String(text.clone()), out);
            }
            LiteralValue::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    check_literal(format!("{path}[{i}]"), item, out);
                }
            }
            LiteralValue::Object(map) => {
                for (key, item) in map {
                    check_literal(format!("{path}.{key}"), item, out);
                }
            }
            _ => {}
        }
    }
    fn visit(set: &SelectionSet, out: &mut Vec<FieldError>) {
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => {
                    for (name, value) in &f.node.arguments {
                        let path = format!("{}({})", f.node.name.node, name.node);
                        check_literal(path, &value.node, out);
                    }
                    visit(&f.node.selection_set.node, out);
                }
                Selection::InlineFragment(i) => visit(&i.node.selection_set.node, out),
                Selection::FragmentSpread(_) => {}
            }
        }
    }
    let mut out = Vec::new();
    for (name, value) in variables.iter() {
        check(format!("variables.{name}"), value, &mut out);
    }
    for (_, op) in doc.operations.iter() {
        visit(&op.node.selection_set.node, &mut out);
    }
    for fragment in doc.fragments.values() {
        visit(&fragment.node.selection_set.node, &mut out);
    }
    out
}

/// Aliases with every fragment counted each time it is spread, as execution would meet them.
fn count_aliases(doc: &ExecutableDocument) -> usize {
    walk(doc, &|f| usize::from(f.alias.is_some()), &|_, children| {
        children
    })
}

/// Sums `own(field)` over a document's operations with fragments expanded at every spread
/// (memoised per fragment, cycles cut: validation rejects them later); `scale(field, cost)`
/// turns the cost of a field's selection into what that field costs its parent.
fn walk(
    doc: &ExecutableDocument,
    own: &dyn Fn(&Field) -> usize,
    scale: &dyn Fn(&Field, usize) -> usize,
) -> usize {
    struct Walker<'a> {
        doc: &'a ExecutableDocument,
        own: &'a dyn Fn(&Field) -> usize,
        scale: &'a dyn Fn(&Field, usize) -> usize,
        memo: HashMap<Name, usize>,
        stack: Vec<Name>,
    }
    impl Walker<'_> {
        fn set(&mut self, set: &SelectionSet) -> usize {
            set.items
                .iter()
                .map(|item| match &item.node {
                    Selection::Field(f) => {
                        let children = self.set(&f.node.selection_set.node);
                        (self.own)(&f.node).saturating_add((self.scale)(&f.node, children))
                    }
                    Selection::InlineFragment(i) => self.set(&i.node.selection_set.node),
                    Selection::FragmentSpread(s) => {
                        let name = &s.node.fragment_name.node;
                        if let Some(cost) = self.memo.get(name) {
                            return *cost;
                        }
                        let doc = self.doc;
                        let Some(fragment) = doc.fragments.get(name) else {
                            return 0;
                        };
                        if self.stack.contains(name) {
                            return 0;
                        }
                        self.stack.push(name.clone());
                        let cost = self.set(&fragment.node.selection_set.node);
                        self.stack.pop();
                        self.memo.insert(name.clone(), cost);
                        cost
                    }
                })
                .fold(0usize, usize::saturating_add)
        }
    }
    let mut walker = Walker {
        doc,
        own,
        scale,
        memo: HashMap::new(),
        stack: Vec::new(),
    };
    doc.operations
        .iter()
        .map(|(_, op)| walker.set(&op.node.selection_set.node))
        .fold(0usize, usize::saturating_add)
}

/// Most introspection a document may ask for, in fields returned (an estimate: every list
/// counted at the largest size this schema has). The full query GraphiQL sends stays well
/// inside it; a query that nests `fields` in `fields` to multiply the answer does not.
pub const MAX_INTROSPECTION_COST: usize = 5_000_000;

/// Upper bounds of introspection lists in this schema; a test keeps them above the real sizes.
pub mod introspection_bounds {
    /// `__schema.types`: every named type, built-ins included.
    pub const TYPES: usize = 150;
    /// `fields`, `inputFields` and `enumValues` of one type.
    pub const MEMBERS: usize = 64;
    /// `args` of one field or directive.
    pub const ARGS: usize = 10;
    /// `directives`, `interfaces` and `possibleTypes`.
    pub const OTHER: usize = 24;
}

/// The estimated introspection cost of a document: each field costs one, and an introspection
/// list multiplies what is selected under it by its bound. (Data lists are not multiplied
/// here: their cost is async-graphql's complexity, counted against `MAX_COMPLEXITY`.)
fn introspection_cost(doc: &ExecutableDocument) -> usize {
    use introspection_bounds::*;
    walk(doc, &|_| 1, &|field, children| {
        let factor = match field.name.node.as_str() {
            "types" => TYPES,
            "fields" | "inputFields" | "enumValues" => MEMBERS,
            "args" => ARGS,
            "directives" | "interfaces" | "possibleTypes" => OTHER,
            _ => 1,
        };
        children.saturating_mul(factor)
    })
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
