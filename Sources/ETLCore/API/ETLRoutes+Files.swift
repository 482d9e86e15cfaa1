import Foundation
import Hummingbird

extension ETLRoutes {
    func listFiles(_ request: Request) async throws -> Response {
        var status: FileStatus? = nil
        if let text = request.uri.queryParameters["status"], !text.isEmpty {
            guard let parsed = FileStatus(rawValue: String(text)) else {
                throw APIError.badRequest("status must be one of \(FileStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            status = parsed
        }
        let errorType = try QueryParameters.errorType(request, name: "error_type")
        let limit = try QueryParameters.limit(request)
        return JSONBody.response(json: try await store.filesJSON(status: status, errorType: errorType, limit: limit))
    }

    func upload(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let body: UploadRequest
        do {
            body = try await uploadBody(request)
        } catch let error as APIError {
            metrics.uploadRefused(error.status == .contentTooLarge ? .tooLarge : .invalid)
            throw error
        }
        let filename = body.filename.trimmed()
        guard !filename.isEmpty, filename.count <= 255, !filename.contains(where: { $0.isNewline || $0 == "\0" }) else {
            metrics.uploadRefused(.invalid)
            throw APIError.badRequest("filename must be 1 to 255 characters on one line")
        }
        let id = try await store.upload(filename: filename, content: body.content)
        events.write(.info, "api", "file_id=\(id) uploaded file=\(EventLog.token(filename)) bytes=\(body.content.utf8.count)")
        events.audit(actor: RequestActor.name(of: request), action: "files.upload", target: "file:\(id)", result: "ok",
                     detail: "filename=\(EventLog.token(filename))")
        return JSONBody.response(status: .created, encoding: UploadResponse(id: id, filename: filename, status: FileStatus.uploaded.rawValue))
    }

    /// The upload, held to the one size limit the worker applies too
    /// (`ETLConfiguration.maxUploadBytes`, `ETL_MAX_UPLOAD_BYTES`): a file the worker would
    /// reject as too large is refused here, 413, with the worker's own words.
    private func uploadBody(_ request: Request) async throws -> UploadRequest {
        let limit = configuration.maxUploadBytes
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: UploadLimit.bodyBytes(forContentLimit: limit))
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError(.contentTooLarge, "request body too large: the file limit is \(limit) bytes")
        }
        guard let body = try? JSONDecoder().decode(UploadRequest.self, from: Data(buffer.readableBytesView)) else {
            throw APIError.badRequest("the body must be JSON {\"filename\": ..., \"content\": ...}")
        }
        if let message = UploadLimit.rejection(contentBytes: body.content.utf8.count, limit: limit) {
            throw APIError(.contentTooLarge, message)
        }
        return body
    }

    func file(_ context: BasicRequestContext) async throws -> Response {
        let id = try QueryParameters.id(context)
        guard let json = try await store.fileJSON(id: id) else {
            throw APIError.notFound("file \(id) not found")
        }
        return JSONBody.response(json: json)
    }

    func reprocess(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let id = try QueryParameters.id(context)
        let actor = RequestActor.name(of: request)
        guard let previous = try await store.reprocess(id: id) else {
            events.audit(actor: actor, action: "files.reprocess", target: "file:\(id)", result: "not_found")
            throw APIError.notFound("file \(id) not found")
        }
        events.write(.info, "api", "file_id=\(id) requeued previous_status=\(previous.rawValue)")
        events.audit(actor: actor, action: "files.reprocess", target: "file:\(id)", result: "ok", detail: "previous_status=\(previous.rawValue)")
        return JSONBody.response(encoding: ReprocessResponse(id: id, status: FileStatus.uploaded.rawValue, previousStatus: previous.rawValue))
    }

    func reprocessErrors(_ request: Request) async throws -> Response {
        guard let text = request.uri.queryParameters["error"], !text.isEmpty else {
            throw APIError.badRequest("query parameter 'error' is required: validation, connection, resource, data or all")
        }
        let errorType: ErrorType?
        if text == "all" {
            errorType = nil
        } else if let type = ErrorType(rawValue: String(text)) {
            errorType = type
        } else {
            throw APIError.badRequest("error must be one of validation, connection, resource, data, all")
        }
        let hours = try QueryParameters.hours(request, name: "since_hours", default: 4)
        let count = try await store.reprocessErrors(errorType: errorType, sinceHours: hours)
        let label = errorType?.rawValue ?? "all"
        events.write(.info, "api", "bulk requeue error_type=\(label) since_hours=\(hours) requeued=\(count)")
        events.audit(actor: RequestActor.name(of: request), action: "files.reprocess_bulk", target: "error_type:\(label)",
                     result: "ok", detail: "since_hours=\(hours) requeued=\(count)")
        return JSONBody.response(encoding: BulkReprocessResponse(requeued: count, errorType: label, sinceHours: hours))
    }
}
