//! Keyset pagination: opaque cursors carry the sort key of the last row seen, and the next page
//! is `WHERE (k1, k2, ...) > (v1, v2, ...)` under the same ordering, never OFFSET.
use crate::error::FieldCode;
use crate::error::{AppError, AppResult};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::Condition;
use sea_orm::sea_query::{Expr, ExprTrait};

pub const DEFAULT_PAGE_SIZE: u64 = 20;
pub const MAX_PAGE_SIZE: u64 = 100;

/// A page request: `first` rows after the cursor `after`, or (when `backward`) the `first`
/// rows just before it (`last`/`before` in the API).
#[derive(Clone, Debug)]
pub struct PageArgs {
    pub first: u64,
    pub after: Option<Vec<serde_json::Value>>,
    pub backward: bool,
}

impl PageArgs {
    pub fn forward(first: Option<i32>, after: Option<&str>) -> AppResult<Self> {
        let first = size("first", first)?;
        let after = after.map(|c| decode_cursor("after", c)).transpose()?;
        Ok(PageArgs {
            first,
            after,
            backward: false,
        })
    }

    /// Either `first`/`after` or `last`/`before`, never both directions at once.
    pub fn either(
        first: Option<i32>,
        after: Option<&str>,
        last: Option<i32>,
        before: Option<&str>,
    ) -> AppResult<Self> {
        if last.is_none() && before.is_none() {
            return Self::forward(first, after);
        }
        if first.is_some() || after.is_some() {
            return Err(AppError::bad_field(
                "last",
                FieldCode::InvalidValue,
                "use first/after or last/before, not both",
            ));
        }
        Ok(PageArgs {
            first: size("last", last)?,
            after: before.map(|c| decode_cursor("before", c)).transpose()?,
            backward: true,
        })
    }
}

fn size(field: &str, n: Option<i32>) -> AppResult<u64> {
    match n {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(n) if n < 0 || n as u64 > MAX_PAGE_SIZE => Err(AppError::bad_field(
            field,
            FieldCode::ValueOutOfRange,
            format!("must be between 0 and {MAX_PAGE_SIZE}"),
        )),
        Some(n) => Ok(n as u64),
    }
}

#[derive(Clone, Debug)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub has_next: bool,
    pub has_previous: bool,
    /// Only computed when the client selected `totalCount`.
    pub total: Option<u64>,
    /// `total` is PostgreSQL's estimate: the list holds more than `EXACT_TOTAL_UP_TO` rows.
    pub total_estimated: bool,
}

impl<T> Page<T> {
    /// The same page with each row turned into another.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            rows: self.rows.into_iter().map(f).collect(),
            has_next: self.has_next,
            has_previous: self.has_previous,
            total: self.total,
            total_estimated: self.total_estimated,
        }
    }

    /// A page of a list that cannot match anything.
    pub fn empty(args: &PageArgs) -> Self {
        Page::from_rows(Vec::new(), args, Some(0))
    }

    /// Builds a page from `first + 1` fetched rows (fetched in reverse order when backward).
    pub fn from_rows(mut rows: Vec<T>, args: &PageArgs, total: Option<u64>) -> Self {
        let more = rows.len() as u64 > args.first;
        rows.truncate(args.first as usize);
        if args.backward {
            rows.reverse();
        }
        let (has_next, has_previous) = if args.backward {
            (args.after.is_some(), more)
        } else {
            (more, args.after.is_some())
        };
        Page {
            rows,
            has_next,
            has_previous,
            total,
            total_estimated: false,
        }
    }
}

/// Up to this many rows a top-level list's `totalCount` is exact; past it, on PostgreSQL, it
/// is the planner's estimate (a count of a million rows takes hundreds of milliseconds, the
/// estimate a fraction of one). Whether a list is past it is the planner's estimate too, checked
/// by a count that stops there. SQLite always counts.
pub const EXACT_TOTAL_UP_TO: u64 = 10_000;

/// The number of rows of `query`, and whether it is an estimate (see `EXACT_TOTAL_UP_TO`).
async fn total<E, C>(db: &C, query: sea_orm::Select<E>) -> AppResult<(u64, bool)>
where
    E: sea_orm::EntityTrait,
    E::Model: Sync,
    C: sea_orm::ConnectionTrait,
{
    use sea_orm::sea_query::{Alias, Query};
    use sea_orm::{PaginatorTrait, QuerySelect, QueryTrait};
    let backend = db.get_database_backend();
    if backend != sea_orm::DbBackend::Postgres {
        return Ok((query.count(db).await?, false));
    }
    let mut rows = query.select_only().expr(Expr::val(1)).into_query();
    // The planner's estimate first: a list it expects to be large is not counted at all (a
    // count stopped at the threshold still scanned 150 ms for a filter matching 14 % of a
    // million rows through a join).
    let statement = backend.build(&rows);
    let explain = sea_orm::Statement::from_sql_and_values(
        backend,
        format!("EXPLAIN (FORMAT JSON) {}", statement.sql),
        statement.values.map(|v| v.0).unwrap_or_default(),
    );
    let plan: serde_json::Value = match db.query_one_raw(explain).await? {
        Some(row) => row.try_get_by_index(0)?,
        None => serde_json::Value::Null,
    };
    let estimate = plan[0]["Plan"]["Plan Rows"].as_f64().unwrap_or(0.0) as u64;
    if estimate > EXACT_TOTAL_UP_TO {
        return Ok((estimate, true));
    }
    // Counting stops at the first row past the threshold, should the estimate be low.
    let bounded = Query::select()
        .expr(Expr::cust("COUNT(*)"))
        .from_subquery(
            rows.limit(EXACT_TOTAL_UP_TO + 1).take(),
            Alias::new("bounded"),
        )
        .to_owned();
    let counted: i64 = match db.query_one(&bounded).await? {
        Some(row) => row.try_get_by_index(0)?,
        None => 0,
    };
    if counted as u64 <= EXACT_TOTAL_UP_TO {
        return Ok((counted as u64, false));
    }
    Ok((Ord::max(estimate, EXACT_TOTAL_UP_TO + 1), true))
}

pub fn encode_cursor(values: &[serde_json::Value]) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::Value::Array(values.to_vec()).to_string())
}

pub fn decode_cursor(field: &str, cursor: &str) -> AppResult<Vec<serde_json::Value>> {
    let bad = || AppError::bad_field(field, FieldCode::InvalidValue, "not a cursor of this list");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    match serde_json::from_slice(&bytes) {
        Ok(serde_json::Value::Array(values)) => Ok(values),
        _ => Err(bad()),
    }
}

/// Rows strictly after `values` in the order of `keys` (each ascending unless its flag says
/// descending): `k1 > v1 OR (k1 = v1 AND k2 > v2) OR ...`.
fn after_condition(keys: &[(Expr, bool)], values: &[sea_orm::Value]) -> Condition {
    let mut any = Condition::any();
    for i in 0..keys.len().min(values.len()) {
        let mut all = Condition::all();
        for j in 0..i {
            all = all.add(keys[j].0.clone().eq(values[j].clone()));
        }
        let (expr, desc) = &keys[i];
        all = all.add(if *desc {
            expr.clone().lt(values[i].clone())
        } else {
            expr.clone().gt(values[i].clone())
        });
        any = any.add(all);
    }
    any
}

/// The type of a sort key, to read its cursor value back into a bind parameter.
#[derive(Clone, Copy, Debug)]
pub enum KeyKind {
    Text,
    Time,
    Date,
    Int,
}

/// An ordering for keyset pagination: sort expressions (the last one unique, usually the id),
/// all in one direction.
pub struct Keyset {
    pub keys: Vec<(Expr, KeyKind)>,
    pub desc: bool,
}

impl Keyset {
    /// One sort key, then the id to break ties.
    pub fn by(sort: Expr, kind: KeyKind, id: Expr, desc: bool) -> Self {
        Keyset {
            keys: vec![(sort, kind), (id, KeyKind::Text)],
            desc,
        }
    }

    /// One page of `query` in this order, with the total of `query` when asked for.
    pub async fn page<E, C>(
        &self,
        db: &C,
        query: sea_orm::Select<E>,
        args: &PageArgs,
        with_total: bool,
    ) -> AppResult<Page<E::Model>>
    where
        E: sea_orm::EntityTrait,
        E::Model: Sync,
        C: sea_orm::ConnectionTrait,
    {
        let (total, total_estimated) = if with_total {
            let (n, estimated) = total(db, query.clone()).await?;
            (Some(n), estimated)
        } else {
            (None, false)
        };
        let rows = self.apply(query, args)?.all(db).await?;
        Ok(Page {
            total_estimated,
            ..Page::from_rows(rows, args, total)
        })
    }

    /// The first pages of `query` under many parents in one statement: each parent's page is
    /// ordered and limited to `args.first + 1` rows, so it reads its parent's rows through the
    /// parent's index and stops at the page (a window over the parents would number every row
    /// of every parent). With `with_total`, one grouped count more. Only for a first page
    /// forward: a nested list's `after` is per parent.
    pub async fn first_pages<E, C>(
        &self,
        db: &C,
        query: sea_orm::Select<E>,
        parent: E::Column,
        parents: &[String],
        args: &PageArgs,
        with_total: bool,
    ) -> AppResult<std::collections::HashMap<String, Page<E::Model>>>
    where
        E: sea_orm::EntityTrait,
        E::Model: Sync,
        C: sea_orm::ConnectionTrait,
    {
        use sea_orm::{ColumnTrait, ModelTrait, QueryFilter, QuerySelect};
        if args.after.is_some() || args.backward {
            return Err(AppError::internal("first_pages takes a first page forward"));
        }
        let totals: std::collections::HashMap<String, u64> = if with_total {
            let counts: Vec<(String, i64)> = query
                .clone()
                .filter(parent.is_in(parents.iter().cloned()))
                .select_only()
                .column(parent)
                .column_as(Expr::cust("COUNT(*)"), "n")
                .group_by(parent)
                .into_tuple()
                .all(db)
                .await?;
            counts.into_iter().map(|(p, n)| (p, n as u64)).collect()
        } else {
            Default::default()
        };
        let mut grouped: std::collections::HashMap<String, Vec<E::Model>> = Default::default();
        for statement in
            self.pages_statements(db.get_database_backend(), query, parent, parents, args)
        {
            for row in E::find().from_raw_sql(statement).all(db).await? {
                let key = match row.get(parent) {
                    sea_orm::Value::String(Some(s)) => s,
                    _ => return Err(AppError::internal("a parent key that is not text")),
                };
                grouped.entry(key).or_default().push(row);
            }
        }
        Ok(parents
            .iter()
            .map(|p| {
                let rows = grouped.remove(p).unwrap_or_default();
                let total = with_total.then(|| totals.get(p).copied().unwrap_or(0));
                (p.clone(), Page::from_rows(rows, args, total))
            })
            .collect())
    }

    /// The statements of `first_pages`, rows in page order within each parent.
    ///
    /// PostgreSQL: one statement whose text does not depend on the number of parents (they
    /// come as one array, each page a LATERAL subquery), so it is parsed once per connection
    /// and planned generically. A `UNION ALL` of one branch per parent cost 8 ms to parse
    /// and 30 ms to plan at 100 parents, each time a connection met a new parent count.
    ///
    /// SQLite, which has no LATERAL: a `UNION ALL` of one branch per parent, `CHUNK` parents
    /// per statement (it takes at most 500 members in a compound SELECT).
    fn pages_statements<E: sea_orm::EntityTrait>(
        &self,
        backend: sea_orm::DbBackend,
        query: sea_orm::Select<E>,
        parent: E::Column,
        parents: &[String],
        args: &PageArgs,
    ) -> Vec<sea_orm::Statement> {
        use sea_orm::sea_query::{Alias, Asterisk, Query, UnionType};
        use sea_orm::{ColumnTrait, Order, QueryFilter, QueryOrder, QuerySelect, QueryTrait};
        const CHUNK: usize = 200;
        let order = if self.desc { Order::Desc } else { Order::Asc };
        let key = |i: usize| Alias::new(format!("page_key{i}"));
        let branch = |condition: sea_orm::sea_query::SimpleExpr| {
            let mut branch = query.clone().filter(condition);
            for (expr, _) in &self.keys {
                branch = branch.order_by(expr.clone(), order.clone());
            }
            let mut branch = branch.limit(args.first + 1).into_query();
            for (k, (expr, _)) in self.keys.iter().enumerate() {
                branch.expr_as(expr.clone(), key(k));
            }
            branch
        };
        if backend == sea_orm::DbBackend::Postgres {
            if parents.is_empty() {
                return Vec::new();
            }
            let lateral = branch(
                Expr::col(parent.as_column_ref())
                    .equals((Alias::new("page_parents"), Alias::new("parent_id"))),
            );
            let inner = backend.build(&lateral);
            let mut values = inner.values.map(|v| v.0).unwrap_or_default();
            values.push(parents.to_vec().into());
            let direction = if self.desc { "DESC" } else { "ASC" };
            let keys: Vec<String> = (0..self.keys.len())
                .map(|k| format!(r#", "page"."page_key{k}" {direction}"#))
                .collect();
            let sql = format!(
                r#"SELECT "page".* FROM unnest(CAST(${} AS text[])) WITH ORDINALITY AS "page_parents"("parent_id", "page_parent") CROSS JOIN LATERAL ({}) AS "page" ORDER BY "page_parents"."page_parent"{}"#,
                values.len(),
                inner.sql,
                keys.concat(),
            );
            return vec![sea_orm::Statement::from_sql_and_values(
                backend, sql, values,
            )];
        }
        let mut statements = Vec::new();
        for (chunk_index, chunk) in parents.chunks(CHUNK).enumerate() {
            let mut branches = chunk.iter().enumerate().map(|(i, p)| {
                let mut one = branch(parent.eq(p.as_str()));
                one.expr_as(
                    Expr::val((chunk_index * CHUNK + i) as i64),
                    Alias::new("page_parent"),
                );
                // SQLite takes ORDER BY and LIMIT in a compound SELECT's members only inside
                // a subquery.
                Query::select()
                    .column(Asterisk)
                    .from_subquery(one, Alias::new(format!("branch{i}")))
                    .to_owned()
            });
            let Some(mut all) = branches.next() else {
                continue;
            };
            for one in branches {
                all.union(UnionType::All, one);
            }
            let mut outer = Query::select();
            outer
                .column(Asterisk)
                .from_subquery(all, Alias::new("pages"))
                .order_by(Alias::new("page_parent"), Order::Asc);
            for k in 0..self.keys.len() {
                outer.order_by(key(k), order.clone());
            }
            statements.push(backend.build(&outer));
        }
        statements
    }

    /// Applies cursor condition, ordering and limit of `args` to `query`.
    pub fn apply<E: sea_orm::EntityTrait>(
        &self,
        mut query: sea_orm::Select<E>,
        args: &PageArgs,
    ) -> AppResult<sea_orm::Select<E>> {
        use sea_orm::{Order, QueryFilter, QueryOrder, QuerySelect};
        // Going backward walks the same order reversed, then `Page::from_rows` flips the rows.
        let desc = self.desc != args.backward;
        if let Some(cursor) = &args.after {
            let field = if args.backward { "before" } else { "after" };
            if cursor.len() != self.keys.len() {
                return Err(bad_cursor(field));
            }
            let values = self
                .keys
                .iter()
                .zip(cursor)
                .map(|((_, kind), v)| bind_value(field, *kind, v))
                .collect::<AppResult<Vec<_>>>()?;
            let keys: Vec<(Expr, bool)> =
                self.keys.iter().map(|(e, _)| (e.clone(), desc)).collect();
            // `k1 <= v1` (or `>=`) repeats what the OR chain implies, in a form an index on
            // the first key can range over: a deep page starts at its cursor instead of
            // filtering every row before it.
            let (first, first_value) = (keys[0].0.clone(), values[0].clone());
            query = query.filter(if desc {
                first.lte(first_value)
            } else {
                first.gte(first_value)
            });
            query = query.filter(after_condition(&keys, &values));
        }
        for (expr, _) in &self.keys {
            query = query.order_by(expr.clone(), if desc { Order::Desc } else { Order::Asc });
        }
        Ok(query.limit(args.first + 1))
    }
}

fn bad_cursor(field: &str) -> AppError {
    AppError::bad_field(field, FieldCode::InvalidValue, "not a cursor of this list")
}

fn bind_value(field: &str, kind: KeyKind, v: &serde_json::Value) -> AppResult<sea_orm::Value> {
    let text = || v.as_str().ok_or_else(|| bad_cursor(field));
    Ok(match kind {
        KeyKind::Text => text()?.to_string().into(),
        KeyKind::Time => chrono::DateTime::parse_from_rfc3339(text()?)
            .map_err(|_| bad_cursor(field))?
            .with_timezone(&chrono::Utc)
            .into(),
        KeyKind::Date => chrono::NaiveDate::parse_from_str(text()?, "%Y-%m-%d")
            .map_err(|_| bad_cursor(field))?
            .into(),
        KeyKind::Int => v.as_i64().ok_or_else(|| bad_cursor(field))?.into(),
    })
}

/// Cursor forms of sort values, matching what `bind_value` reads back.
pub fn time_value(t: &chrono::DateTime<chrono::Utc>) -> serde_json::Value {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
        .into()
}

pub fn date_value(d: &chrono::NaiveDate) -> serde_json::Value {
    d.format("%Y-%m-%d").to_string().into()
}
