package io.promptune.providers.server;

/**
 * An error answered in OpenAI's shape: {"error": {"message", "type", "param", "code"}}.
 * Thrown while handling a request; the handler turns it into the response.
 */
final class ApiError extends RuntimeException {
    final int status;
    final String type;
    final String param;
    final String code;

    ApiError(int status, String type, String message, String param, String code) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    static ApiError badRequest(String message, String param) {
        return new ApiError(400, "invalid_request_error", message, param, null);
    }

    static ApiError notFound(String message) {
        return new ApiError(404, "invalid_request_error", message, null, "unknown_url");
    }

    static ApiError methodNotAllowed(String message) {
        return new ApiError(405, "invalid_request_error", message, null, "method_not_allowed");
    }

    static ApiError server(String message) {
        return new ApiError(500, "server_error", message, null, null);
    }
}
