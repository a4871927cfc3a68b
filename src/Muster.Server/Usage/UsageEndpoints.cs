using Microsoft.AspNetCore.Http.HttpResults;
using Muster.Contracts.Runs;
using Muster.Server.CrewRuns;
using Muster.Server.Hosting;
using Muster.Server.Runs;
using Muster.Server.Tokens;

namespace Muster.Server.Usage;

/// <summary><c>/api/usage</c>: tokens, LLM calls and cost per crew, model, owner or day (docs/COSTS.md).</summary>
internal static class UsageEndpoints
{
    public static IEndpointRouteBuilder MapMusterUsage(this IEndpointRouteBuilder app)
    {
        MusterFeatures.Require(app, nameof(MapMusterUsage), MusterFeatures.Muster, MusterFeatures.CrewRuns);
        app.MapGroup("/api/usage").WithTags("Usage").RequireAuthorization().WithCorrelationId()
            .MapGet("/", Report).WithName("GetUsage")
            .AddOpenApiOperationTransformer(UsageRequest.DescribeAsync)
            .WithSummary("Tokens, LLM calls and cost of the calls that answered between from and to (default: the last 7 days), per crew, model, owner or UTC day; a user token sees its own runs only");
        return app;
    }

    private static async Task<Results<Ok<UsageReport>, UnprocessableEntity<ValidationErrorResponse>>> Report(
        HttpContext context, MusterPrincipal principal, RunService runs, TimeProvider time, CancellationToken cancellationToken)
    {
        var (query, errors) = UsageRequest.Parse(context.Request.Query, time.GetUtcNow());
        if (query is null)
        {
            return TypedResults.UnprocessableEntity(new ValidationErrorResponse(errors));
        }

        var groups = await runs.GetUsageAsync(principal, query, cancellationToken);
        return TypedResults.Ok(new UsageReport
        {
            From = query.From,
            To = query.To,
            GroupBy = UsageRequest.Name(query.GroupBy),
            Groups = [.. groups.Select(g => new UsageReportGroup
            {
                Key = g.Key,
                PromptTokens = g.PromptTokens,
                CompletionTokens = g.CompletionTokens,
                TotalTokens = g.TotalTokens,
                LlmCalls = g.LlmCalls,
                CostUsd = g.CostUsd,
            })],
        });
    }
}
