import Foundation
import HTTPTypes
import Hummingbird
import TollgateContracts

/// The contract's `{"detail": …}` error responses.
enum ErrorResponse {
    static func make(_ status: Int, _ detail: String, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        let body = (try? JSONEncoder().encode(ErrorBody(detail: detail))) ?? Data()
        return Response(
            status: HTTPResponse.Status(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
