using Microsoft.Extensions.Options;
using Muster.Client;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="MusterClient"/> as a typed client of <c>IHttpClientFactory</c>.</summary>
public static class MusterClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="MusterClient"/> (transient, over a pooled <see cref="HttpClient"/> named <c>MusterClient</c>) configured by
    /// <paramref name="configure"/>. Returns the <see cref="IHttpClientBuilder"/> to add handlers such as resilience.
    /// </summary>
    public static IHttpClientBuilder AddMusterClient(this IServiceCollection services, Action<MusterClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<MusterClientOptions>()
            .Configure(configure)
            .Validate(options => options.BaseUrl is { IsAbsoluteUri: true }, "MusterClientOptions.BaseUrl must be an absolute URL such as http://127.0.0.1:8080/.");
        return services.AddHttpClient(nameof(MusterClient))
            .AddTypedClient((http, provider) => new MusterClient(http, provider.GetRequiredService<IOptions<MusterClientOptions>>().Value));
    }
}
