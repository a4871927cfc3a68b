using System.Net;
using Muster.Contracts.Runs;

namespace Muster.Client.Tests;

/// <summary>Every error body shape a server may send becomes one readable line and typed fields.</summary>
public sealed class ErrorBodyTests
{
    [Fact]
    public void ProblemDetails_WithValidationErrors_GivesTitleDetailAndFieldErrors()
    {
        var ex = new MusterApiException(HttpStatusCode.BadRequest,
            """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,"detail":"See errors.","errors":{"inputs":["The inputs field is required."]}}""");

        ex.Title.ShouldBe("One or more validation errors occurred.");
        ex.Detail.ShouldBe("See errors.");
        ex.Error.ShouldBeNull();
        ex.FieldErrors.ShouldBe([new FieldError("inputs", "The inputs field is required.")]);
        ex.ServerMessage.ShouldBe("One or more validation errors occurred.: See errors. (inputs: The inputs field is required.)");
    }

    [Fact]
    public void AmpError_WithMissingInputs_ListsThemInTheLine()
    {
        var ex = new MusterApiException(HttpStatusCode.UnprocessableEntity,
            """{"error":"Validation Error","message":"Missing required inputs","details":{"missing_inputs":["topic","audience"]}}""");

        ex.Error.ShouldNotBeNull().Message.ShouldBe("Missing required inputs");
        ex.ServerMessage.ShouldBe("Validation Error: Missing required inputs (topic, audience)");
    }

    [Fact]
    public void NonJsonBody_IsEchoedOnOneLine_AndAnEmptyOneGivesTheReason()
    {
        new MusterApiException(HttpStatusCode.BadGateway, "<html>\n<body>Bad gateway</body>\n</html>").ServerMessage
            .ShouldBe("<html> <body>Bad gateway</body> </html>");
        new MusterApiException(HttpStatusCode.ServiceUnavailable, string.Empty).ServerMessage.ShouldBe("ServiceUnavailable");
    }
}
