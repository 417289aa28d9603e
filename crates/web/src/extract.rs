//! Axum's extractors, with refusals in Vietnamese: JSON `{code, message}`
//! for the API, an error page for the pages. Axum's own plain-text English
//! rejections never reach a user.

use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::Form;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::WebError;

macro_rules! parts_wrapper {
    ($name:ident, $inner:ident, $rej:ty, $wrap:expr, $err:expr) => {
        pub struct $name<T>(pub T);

        impl<S, T> FromRequestParts<S> for $name<T>
        where
            T: DeserializeOwned + Send,
            S: Send + Sync,
        {
            type Rejection = $rej;

            async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
                match $inner::<T>::from_request_parts(parts, state).await {
                    Ok($inner(v)) => Ok($name(v)),
                    Err(e) => {
                        tracing::info!(reason = %e, "malformed request refused");
                        Err($wrap($err))
                    }
                }
            }
        }
    };
}

parts_wrapper!(
    ApiPath,
    Path,
    ApiError,
    ApiError,
    WebError::BadRequest("Đường dẫn không hợp lệ".into())
);
parts_wrapper!(
    ApiQuery,
    Query,
    ApiError,
    ApiError,
    WebError::BadRequest("Tham số truy vấn không hợp lệ".into())
);
// A page address whose id is not a number (`/tin-bai/moi`) names no page:
// 404, as for an id that does not exist.
parts_wrapper!(PagePath, Path, WebError, std::convert::identity, WebError::NotFound);
parts_wrapper!(
    PageQuery,
    Query,
    WebError,
    std::convert::identity,
    WebError::BadRequest("Tham số truy vấn không hợp lệ".into())
);

/// A form body, refused in Vietnamese when it is not a form or too large.
pub struct PageForm<T>(pub T);

impl<S, T> FromRequest<S> for PageForm<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Form::<T>::from_request(req, state).await {
            Ok(Form(v)) => Ok(PageForm(v)),
            Err(e) => {
                tracing::info!(reason = %e, "malformed form refused");
                Err(WebError::BadRequest("Biểu mẫu không hợp lệ hoặc quá lớn".into()))
            }
        }
    }
}

/// The raw body of an API request, up to `limit` bytes.
pub async fn body_bytes(body: axum::body::Body, limit: usize) -> Result<axum::body::Bytes, ApiError> {
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| ApiError(WebError::TooLarge(limit)))
}
