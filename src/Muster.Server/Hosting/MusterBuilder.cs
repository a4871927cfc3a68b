using Muster.Server.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// What <see cref="MusterServerExtensions.AddMuster"/> returns: the server, to which its optional features are added
/// (<c>AddWebhooks</c>, <c>AddMcp</c>, <c>AddCrewRuns</c>, <c>AddApiDocs</c>). A <c>MapMuster…</c> call whose feature was
/// not added throws, naming the call to make.
/// </summary>
public sealed class MusterBuilder
{
    internal MusterBuilder(IServiceCollection services, IConfiguration configuration)
    {
        Services = services;
        Configuration = configuration;
    }

    public IServiceCollection Services { get; }

    public IConfiguration Configuration { get; }

    /// <summary>Records that <paramref name="feature"/> (its <c>Add…</c> call) was added, for the <c>Map…</c> calls that need it.</summary>
    internal MusterBuilder Added(string feature)
    {
        Services.AddSingleton(new MusterFeature(feature));
        return this;
    }
}
