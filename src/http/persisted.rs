//! Persisted documents: a request may name its document by hash instead of sending its text.
//!
//! - Automatic persisted queries (Apollo's protocol): `extensions.persistedQuery.sha256Hash`.
//!   An unknown hash answers `PERSISTED_QUERY_NOT_FOUND`, and the client sends the text with
//!   the hash once; the server checks the hash and keeps the document in a bounded cache.
//! - Trusted documents (`COSELL_TRUSTED_DOCUMENTS`, a manifest file): only the manifest's
//!   documents run, named by hash (`extensions.persistedQuery.sha256Hash`, `documentId`,
//!   `doc_id` or `id`) or sent as text identical to one of them; anything else is refused
//!   with `DOCUMENT_NOT_TRUSTED`. The manifest may be graphql-codegen's or the Relay
//!   compiler's (`{ "<id>": "<document>" }`) or Apollo's persisted query manifest.
use lru::LruCache;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

/// Documents the automatic cache keeps at most, and their total size.
pub const CACHE_ENTRIES: usize = 2_000;
pub const CACHE_BYTES: usize = 16 * 1024 * 1024;

/// Why a request's document cannot run.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// An automatic persisted query the server does not hold (the client then sends the text).
    NotFound,
    /// Trusted-documents mode: the document is not in the manifest.
    NotTrusted,
    /// The field named, and what is wrong with it.
    Invalid(String),
}

impl Refused {
    pub fn code(&self) -> &'static str {
        match self {
            Refused::NotFound => "PERSISTED_QUERY_NOT_FOUND",
            Refused::NotTrusted => "DOCUMENT_NOT_TRUSTED",
            Refused::Invalid(_) => "BAD_USER_INPUT",
        }
    }

    pub fn message(&self) -> String {
        match self {
            // Apollo Client's persisted-query link looks for this exact message (and the code).
            Refused::NotFound => "PersistedQueryNotFound".into(),
            Refused::NotTrusted => {
                "this server runs only its trusted documents, and this is not one of them".into()
            }
            Refused::Invalid(why) => why.clone(),
        }
    }
}

struct Cache {
    entries: LruCache<String, Arc<str>>,
    bytes: usize,
}

/// A manifest: its documents by id, and the SHA-256 of each text.
struct Manifest {
    documents: HashMap<String, Arc<str>>,
    hashes: HashSet<String>,
}

impl Manifest {
    /// The document a request names, to run in place of its (absent) text; a text alone runs
    /// when it is one of the manifest's. Anything else is not trusted.
    fn document(
        &self,
        named: Option<&str>,
        query: Option<&str>,
    ) -> Result<Option<Arc<str>>, Refused> {
        let Some(id) = named else {
            return match query {
                Some(text) if !self.hashes.contains(&sha256_hex(text)) => Err(Refused::NotTrusted),
                _ => Ok(None),
            };
        };
        let document = self
            .documents
            .get(id)
            .or_else(|| {
                id.strip_prefix("sha256:")
                    .and_then(|h| self.documents.get(h))
            })
            .ok_or(Refused::NotTrusted)?;
        match query {
            Some(text) if text != &**document => Err(Refused::NotTrusted),
            Some(_) => Ok(None),
            None => Ok(Some(document.clone())),
        }
    }
}

pub struct PersistedDocuments {
    cache: Mutex<Cache>,
    /// Trusted-documents mode.
    trusted: Option<Manifest>,
}

impl Default for PersistedDocuments {
    fn default() -> Self {
        PersistedDocuments {
            cache: Mutex::new(Cache {
                entries: LruCache::new(
                    NonZeroUsize::new(CACHE_ENTRIES).unwrap_or(NonZeroUsize::MIN),
                ),
                bytes: 0,
            }),
            trusted: None,
        }
    }
}

pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

impl PersistedDocuments {
    /// Trusted-documents mode from a manifest's text; every document must parse.
    pub fn trusted(manifest: &str) -> Result<Self, String> {
        let value: Value = serde_json::from_str(manifest)
            .map_err(|e| format!("the trusted documents manifest is not JSON: {e}"))?;
        let pairs: Vec<(String, String)> = match &value {
            Value::Object(map)
                if map.get("format").and_then(Value::as_str)
                    == Some("apollo-persisted-query-manifest") =>
            {
                map.get("operations")
                    .and_then(Value::as_array)
                    .ok_or("an Apollo manifest needs an \"operations\" list")?
                    .iter()
                    .map(|op| match (op["id"].as_str(), op["body"].as_str()) {
                        (Some(id), Some(body)) => Ok((id.to_string(), body.to_string())),
                        _ => Err(
                            "each Apollo manifest operation needs an \"id\" and a \"body\""
                                .to_string(),
                        ),
                    })
                    .collect::<Result<_, _>>()?
            }
            Value::Object(map) => map
                .iter()
                .map(|(id, body)| match body.as_str() {
                    Some(body) => Ok((id.clone(), body.to_string())),
                    None => Err(format!(
                        "the manifest's entry {id:?} is not a document string"
                    )),
                })
                .collect::<Result<_, _>>()?,
            _ => return Err("the trusted documents manifest must be a JSON object".into()),
        };
        if pairs.is_empty() {
            return Err("the trusted documents manifest holds no document".into());
        }
        let mut documents = HashMap::new();
        let mut hashes = HashSet::new();
        for (id, body) in pairs {
            async_graphql::parser::parse_query(&body)
                .map_err(|e| format!("the manifest's document {id:?} does not parse: {e}"))?;
            hashes.insert(sha256_hex(&body));
            documents.insert(id, Arc::from(body));
        }
        Ok(PersistedDocuments {
            trusted: Some(Manifest { documents, hashes }),
            ..Default::default()
        })
    }

    /// Puts the document a request names into its `query`, or checks the one it carries.
    /// A request that names none and carries none is left for the transport's own error.
    pub fn resolve(&self, body: &mut Map<String, Value>) -> Result<(), Refused> {
        let hash = persisted_query_hash(body)?;
        let named = hash.or(document_id(body)?);
        let query = match body.get("query") {
            None | Some(Value::Null) => None,
            Some(Value::String(q)) => Some(q.as_str()),
            // Left for the transport's "the body needs a query string" answer.
            Some(_) => return Ok(()),
        };
        let found = match &self.trusted {
            Some(manifest) => manifest.document(named.as_deref(), query)?,
            None => self.automatic(named.as_deref(), query)?,
        };
        if let Some(document) = found {
            body.insert("query".into(), Value::String(document.to_string()));
        }
        Ok(())
    }

    /// Automatic persisted queries: the cached document for a hash alone; a text with its
    /// hash is checked and kept. Nothing to do (and no copy) for a plain request.
    fn automatic(
        &self,
        named: Option<&str>,
        query: Option<&str>,
    ) -> Result<Option<Arc<str>>, Refused> {
        let Some(named) = named else {
            return Ok(None);
        };
        let hash = named
            .strip_prefix("sha256:")
            .unwrap_or(named)
            .to_ascii_lowercase();
        let Some(text) = query else {
            let cached = self
                .cache
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .entries
                .get(&hash)
                .cloned();
            return cached.map(Some).ok_or(Refused::NotFound);
        };
        if sha256_hex(text) != hash {
            return Err(Refused::Invalid(
                "the query's SHA-256 is not extensions.persistedQuery.sha256Hash".into(),
            ));
        }
        self.remember(hash, text.to_string());
        Ok(None)
    }

    fn remember(&self, hash: String, text: String) {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.entries.contains(&hash) || text.len() > CACHE_BYTES {
            return;
        }
        cache.bytes += text.len();
        if let Some((_, evicted)) = cache.entries.push(hash, Arc::from(text)) {
            cache.bytes -= evicted.len();
        }
        while cache.bytes > CACHE_BYTES {
            match cache.entries.pop_lru() {
                Some((_, evicted)) => cache.bytes -= evicted.len(),
                None => break,
            }
        }
    }
}

/// `extensions.persistedQuery.sha256Hash` (version 1), if the request names one.
fn persisted_query_hash(body: &Map<String, Value>) -> Result<Option<String>, Refused> {
    let Some(persisted) = body.get("extensions").and_then(|e| e.get("persistedQuery")) else {
        return Ok(None);
    };
    if persisted.get("version").and_then(Value::as_i64) != Some(1) {
        return Err(Refused::Invalid(
            "extensions.persistedQuery.version must be 1".into(),
        ));
    }
    match persisted.get("sha256Hash").and_then(Value::as_str) {
        Some(hash) if hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(Some(hash.to_string()))
        }
        _ => Err(Refused::Invalid(
            "extensions.persistedQuery.sha256Hash must be 64 hexadecimal digits".into(),
        )),
    }
}

/// `documentId` (GraphQL over HTTP's persisted documents), or Relay's `doc_id` or `id`.
fn document_id(body: &Map<String, Value>) -> Result<Option<String>, Refused> {
    for key in ["documentId", "doc_id", "id"] {
        match body.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::String(id)) if !id.is_empty() && id.len() <= 200 => {
                return Ok(Some(id.clone()));
            }
            Some(_) => {
                return Err(Refused::Invalid(format!(
                    "{key} must be a document id of 1 to 200 characters"
                )));
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn the_cache_stays_within_its_bytes() {
        let docs = PersistedDocuments::default();
        let big = format!(
            "{{ viewer {{ role }} }}{}",
            " ".repeat(CACHE_BYTES / 3 - 100)
        );
        for i in 0..5 {
            let text = format!("{big}#{i}");
            docs.remember(sha256_hex(&text), text);
        }
        let cache = docs.cache.lock().unwrap_or_else(|e| e.into_inner());
        assert!(cache.bytes <= CACHE_BYTES);
        assert_eq!(cache.entries.len(), 3);
    }

    #[test]
    fn manifests_in_every_format_load_and_bad_ones_are_refused() {
        let relay = PersistedDocuments::trusted(r#"{ "abc": "{ viewer { role } }" }"#);
        assert!(relay.is_ok());
        let apollo = PersistedDocuments::trusted(
            r#"{ "format": "apollo-persisted-query-manifest", "version": 1,
                 "operations": [{ "id": "x", "name": "Q", "type": "query", "body": "query Q { viewer { role } }" }] }"#,
        );
        let apollo = apollo.unwrap_or_default();
        let mut named = body(json!({ "documentId": "x" }));
        assert_eq!(apollo.resolve(&mut named), Ok(()));
        assert_eq!(named["query"], "query Q { viewer { role } }");
        assert!(PersistedDocuments::trusted(r#"{ "x": "{ viewer { " }"#).is_err());
        assert!(PersistedDocuments::trusted("[]").is_err());
        assert!(PersistedDocuments::trusted("{}").is_err());
    }
}
