namespace Muster.Server.Hosting;

/// <summary>
/// 200 with a JSON body serialized earlier: the same status, content type and bytes <c>TypedResults.Ok</c> would write,
/// without serializing again. (<c>TypedResults.Bytes</c> is a file result: range and conditional-request handling a JSON
/// answer does not want.)
/// </summary>
internal sealed class Utf8JsonResult(byte[] body) : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => "application/json; charset=utf-8";

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.ContentLength = body.Length;
        return response.BodyWriter.WriteAsync(body, httpContext.RequestAborted).AsTask();
    }
}
