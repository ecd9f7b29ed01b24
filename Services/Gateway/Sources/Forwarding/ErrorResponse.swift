import Foundation
import HTTPTypes
import Hummingbird
import TollgateContracts

/// The contract's `{"detail": …}` error responses.
enum ErrorResponse {
    static func make(_ status: Int, _ detail: String, headers: HTTPFields = [:]) -> Response {
        var response = JSONResponse.make(status, ErrorBody(detail: detail))
        for field in headers { response.headers.append(field) }
        return response
    }
}
