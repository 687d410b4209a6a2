//! Request extractors that turn axum's rejections into [`ApiError`]s with stable codes, and the
//! small ones handlers share: path parameters and the client's address.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::net::IpAddr;

use axum::RequestPartsExt;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use engage_core::PollId;
use serde::de::value::MapAccessDeserializer;
use serde::de::{Deserialize, DeserializeOwned, Deserializer, MapAccess, Visitor};

use crate::error::ApiError;
use crate::limits::client_ip;

/// The most a request body may hold.
pub const BODY_LIMIT_BYTES: usize = 16 * 1024;

/// A JSON body: malformed JSON is 400 `malformed_json`, wrong fields or types (or anything but
/// an object) 422 `invalid_body`, another content type 415, a body over the limit 413.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<JsonObject<T>>::from_request(request, state).await {
            Ok(axum::Json(JsonObject(value))) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

/// `T` read only from a JSON object. serde's derived structs also read a JSON array as their
/// fields in order, so `[]` would pass for an empty edit and `[["a"]]` for a vote; a body
/// is an object with named fields, as the API documents it.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonObject<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for JsonObject<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
            type Value = T;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map))
            }
        }

        deserializer
            .deserialize_map(ObjectVisitor(PhantomData))
            .map(JsonObject)
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::JsonDataError(e) => ApiError::InvalidBody(e.body_text()),
        JsonRejection::JsonSyntaxError(e) => ApiError::MalformedJson(e.body_text()),
        JsonRejection::MissingJsonContentType(_) => ApiError::UnsupportedMediaType,
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::BodyTooLarge {
            limit: BODY_LIMIT_BYTES,
        },
        other => ApiError::MalformedJson(other.body_text()),
    }
}

/// A query string: anything it cannot read is 400 `invalid_query`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(query_rejection(rejection)),
        }
    }
}

fn query_rejection(rejection: QueryRejection) -> ApiError {
    ApiError::InvalidQuery(rejection.body_text())
}

/// A `limit` from the query string: `default` when absent or empty, else a whole number from 1
/// to `max`.
pub fn query_limit(text: Option<&str>, default: u32, max: u32) -> Result<u32, ApiError> {
    match text {
        None | Some("") => Ok(default),
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                ApiError::InvalidQuery(format!("limit must be a whole number from 1 to {max}"))
            }),
    }
}

/// A paging cursor such as `before` from the query string: absent or empty for the first page,
/// else a whole number of at least 1.
pub fn query_cursor(text: Option<&str>, name: &str) -> Result<Option<i64>, ApiError> {
    match text {
        None | Some("") => Ok(None),
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 1)
            .map(Some)
            .ok_or_else(|| {
                ApiError::InvalidQuery(format!(
                    "{name} must be a whole number of at least 1, not '{}'",
                    text.chars().take(32).collect::<String>()
                ))
            }),
    }
}

/// The raw value of the path parameter `name`; a route without it is a bug.
pub async fn path_param(parts: &mut Parts, name: &str) -> Result<String, ApiError> {
    let Path(mut params) = parts
        .extract::<Path<HashMap<String, String>>>()
        .await
        .map_err(|e| ApiError::Internal(format!("route has no {name} parameter: {e}")))?;
    params
        .remove(name)
        .ok_or_else(|| ApiError::Internal(format!("route has no {name} parameter")))
}

/// The `{poll}` of the path. An id that cannot exist is "not found", like a missing poll.
#[derive(Debug, Clone)]
pub struct PollPath(pub PollId);

impl<S: Send + Sync> FromRequestParts<S> for PollPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<PollPath, ApiError> {
        let raw = path_param(parts, "poll").await?;
        PollId::parse(&raw)
            .map(PollPath)
            .map_err(|_| ApiError::PollNotFound(raw.chars().take(PollId::MAX_LEN).collect()))
    }
}

/// The client's address, as the per-IP limits see it.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<ClientIp, ApiError> {
        Ok(ClientIp(client_ip(&parts.extensions)))
    }
}
