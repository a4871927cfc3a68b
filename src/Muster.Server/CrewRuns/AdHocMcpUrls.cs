using Muster.Contracts.Runs;
using Muster.Core.Crews;
using Muster.Server.Webhooks;

namespace Muster.Server.CrewRuns;

/// <summary>
/// The SSRF check of an ad-hoc crew's MCP URLs at kickoff, with the webhooks' rules (public addresses only unless
/// <c>Muster:Webhooks:AllowPrivateNetworks</c>), so the caller learns at once; every connection is checked again.
/// </summary>
internal static class AdHocMcpUrls
{
    public static async Task<IReadOnlyList<FieldError>> CheckAsync(CrewDefinition crew, IWebhookUrlValidator urls, CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>();
        for (var a = 0; a < crew.Agents.Count; a++)
        {
            for (var m = 0; m < crew.Agents[a].Mcps.Count; m++)
            {
                var spec = McpServerSpec.Parse(crew.Agents[a].Mcps[m]);
                if (spec.Url is { } url && await urls.CheckUrlAsync(url.ToString(), cancellationToken) is { } problem)
                {
                    errors.Add(new FieldError($"crew_config.agents[{a}].mcps[{m}]", $"MCP server '{spec.Name}' {problem}"));
                }
            }
        }

        return errors;
    }
}
