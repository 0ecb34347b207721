//! SQL expressions shared by the data modules.
use sea_orm::sea_query::{Expr, Func, LikeExpr};

/// Case-insensitive substring pattern with LIKE wildcards escaped.
pub fn contains_pattern(text: &str) -> LikeExpr {
    let escaped = text
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    LikeExpr::new(format!("%{escaped}%")).escape('\\')
}

pub fn lower(col: impl sea_orm::sea_query::IntoColumnRef) -> Expr {
    Func::lower(Expr::col(col)).into()
}
