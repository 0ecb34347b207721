//! Relay connections with `edges`, `nodes`, `pageInfo` and `totalCount`.
use crate::data::page::{Page, encode_cursor};
use async_graphql::SimpleObject;

/// Where a page stands in its list (Relay). Cursors are opaque and stay valid while the rows
/// they point at exist; pages are keyset pages, never offsets.
#[derive(SimpleObject, Clone, Debug, Default)]
pub struct PageInfo {
    /// More rows follow the last one of this page (pass `endCursor` as `after`).
    pub has_next_page: bool,
    /// Rows come before the first one of this page (pass `startCursor` as `before`).
    pub has_previous_page: bool,
    /// The cursor of the page's first row; null on an empty page.
    pub start_cursor: Option<String>,
    /// The cursor of the page's last row; null on an empty page.
    pub end_cursor: Option<String>,
}

/// Whether the client selected `totalCount`: the count is a query of its own, run only then.
pub fn wants_total(ctx: &async_graphql::Context<'_>) -> bool {
    let look = ctx.look_ahead();
    look.field("totalCount").exists() || look.field("totalCountIsEstimate").exists()
}

/// Complexity of a connection field: `first` (default 20) times the cost of one node.
pub fn cost(first: Option<i32>, child_complexity: usize) -> usize {
    first.unwrap_or(20).clamp(1, 100) as usize * child_complexity
}

/// What a page read for one parent alone costs beyond its values: a nested list's page after
/// a cursor is a statement per parent, where first pages of all parents share one.
pub const STATEMENT_COST: usize = 1_000;

/// Complexity of a nested connection (under a parent that may be one of a list): its values,
/// and a statement's worth when `after` makes it a query of its own per parent.
pub fn nested_cost(first: Option<i32>, after: &Option<String>, child_complexity: usize) -> usize {
    cost(first, child_complexity) + if after.is_some() { STATEMENT_COST } else { 0 }
}

macro_rules! connection {
    ($conn:ident, $edge:ident, $node:ty) => {
        #[doc = concat!("One `", stringify!($node), "` of a page, with its cursor.")]
        #[derive(async_graphql::SimpleObject, Clone)]
        pub struct $edge {
            /// Pass as `after` (or `before`) to page from this row.
            pub cursor: String,
            #[doc = concat!("The `", stringify!($node), "`.")]
            pub node: $node,
        }

        // `nodes` and `edges` are read from one list of rows: a node is copied only into the
        // edges a client selects.
        #[derive(Clone)]
        pub struct $conn {
            pub rows: Vec<(String, $node)>,
            pub page_info: $crate::graphql::connection::PageInfo,
            pub total_count: i32,
            pub total_count_is_estimate: bool,
        }

        #[doc = concat!("A page of `", stringify!($node), "` rows (a Relay connection): `nodes`, or `edges` with cursors, `pageInfo` and `totalCount`.")]
        #[async_graphql::Object]
        impl $conn {
            /// The page's rows with their cursors.
            async fn edges(&self) -> Vec<$edge> {
                self.rows
                    .iter()
                    .map(|(cursor, node)| $edge {
                        cursor: cursor.clone(),
                        node: node.clone(),
                    })
                    .collect()
            }

            /// The page's rows, without cursors.
            async fn nodes(&self) -> Vec<&$node> {
                self.rows.iter().map(|(_, node)| node).collect()
            }

            /// Whether more rows come before or after this page, and the cursors to get them.
            async fn page_info(&self) -> &$crate::graphql::connection::PageInfo {
                &self.page_info
            }

            /// Rows in the whole list (with its filter), not just this page; computed only when
            /// selected. On PostgreSQL past 10,000 rows it is an estimate (`totalCountIsEstimate`).
            async fn total_count(&self) -> i32 {
                self.total_count
            }

            /// True when `totalCount` is PostgreSQL's planner estimate rather than a count: a
            /// top-level list of more than 10,000 rows. Nested lists and SQLite always count.
            async fn total_count_is_estimate(&self) -> bool {
                self.total_count_is_estimate
            }
        }

        impl $conn {
            pub fn from_page<M>(
                page: $crate::data::page::Page<M>,
                cursor: impl Fn(&M) -> Vec<serde_json::Value>,
                wrap: impl Fn(M) -> $node,
            ) -> Self {
                let estimate = page.total_estimated;
                let (info, total, rows) = $crate::graphql::connection::split(page, cursor);
                $conn {
                    rows: rows.into_iter().map(|(c, m)| (c, wrap(m))).collect(),
                    page_info: info,
                    total_count: total,
                    total_count_is_estimate: estimate,
                }
            }
        }
    };
}
pub(crate) use connection;

pub fn split<M>(
    page: Page<M>,
    cursor: impl Fn(&M) -> Vec<serde_json::Value>,
) -> (PageInfo, i32, Vec<(String, M)>) {
    let rows: Vec<(String, M)> = page
        .rows
        .into_iter()
        .map(|m| (encode_cursor(&cursor(&m)), m))
        .collect();
    let info = PageInfo {
        has_next_page: page.has_next,
        has_previous_page: page.has_previous,
        start_cursor: rows.first().map(|(c, _)| c.clone()),
        end_cursor: rows.last().map(|(c, _)| c.clone()),
    };
    (
        info,
        page.total.unwrap_or(0).min(i32::MAX as u64) as i32,
        rows,
    )
}
