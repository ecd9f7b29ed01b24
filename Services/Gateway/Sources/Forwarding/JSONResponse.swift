import Foundation
import HTTPTypes
import Hummingbird
import TollgateHTTPServer

/// A JSON answer made by the gateway itself.
enum JSONResponse {
    static func make(_ status: Int, _ value: some Encodable) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = SecurityHeaders.jsonContentType
        let body = (try? JSONEncoder().encode(value)) ?? Data()
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
