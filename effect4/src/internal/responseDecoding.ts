/**
 * What one response means: the shared verdict (`shared/src/responseRules.ts`) as this line's value
 * or tagged error.
 */
import * as Duration from "effect/Duration"
import * as Result from "effect/Result"
import {
  type HttpErrorFields,
  type HttpErrorTag,
  judgeResponse,
  type RawResponse,
  type RequestContext
} from "../../../shared/src/responseRules.js"
import * as ByokError from "../ByokError.js"
import type { DeclaredStatus, Endpoint } from "./endpoints.js"

export { maxResponseBytes, type RawResponse, type RequestContext, scrub } from "../../../shared/src/responseRules.js"

const httpErrorClasses = {
  BadRequest: ByokError.BadRequest,
  Unauthorized: ByokError.Unauthorized,
  Forbidden: ByokError.Forbidden,
  NotFound: ByokError.NotFound,
  InternalServer: ByokError.InternalServer,
  RateLimited: ByokError.RateLimited,
  ApiError: ByokError.ApiError
} as const

/** The tagged error for a verdict's tag and fields; `Retry-After` becomes a `Duration`. */
export const httpError = (tag: HttpErrorTag, { retryAfterMillis, ...fields }: HttpErrorFields): ByokError.HttpError =>
  new httpErrorClasses[tag]({
    ...fields,
    ...(retryAfterMillis !== undefined ? { retryAfter: Duration.millis(retryAfterMillis) } : {})
  })

/**
 * The value of a response, or the error it stands for. Success is exactly the endpoint's success
 * status with an `application/json` body that the endpoint's schema accepts; another 2XX is an
 * `ApiError`, a 2XX with any other body a `DecodeError`.
 */
export const decodeResponse = <A>(
  endpoint: Pick<Endpoint<unknown, A, DeclaredStatus>, "method" | "declared" | "successStatus" | "decodeBody">,
  response: RawResponse,
  context: RequestContext
): Result.Result<A, ByokError.ByokError> => {
  const verdict = judgeResponse(endpoint, response, context, endpoint.decodeBody)
  switch (verdict._tag) {
    case "Value":
      return Result.succeed(verdict.value)
    case "HttpError":
      return Result.fail(httpError(verdict.tag, verdict.fields))
    case "DecodeError":
      return Result.fail(new ByokError.DecodeError(verdict.fields))
  }
}
