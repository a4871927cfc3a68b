using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Muster.Core.Net;
using Muster.Server.Hosting;
using Muster.Server.Webhooks;

namespace Microsoft.Extensions.DependencyInjection;

public static partial class WebhookServiceCollectionExtensions
{
    /// <summary>
    /// Webhooks: the delivery planner (replacing the server's no-op one), the SSRF-checking URL validator, the signer,
    /// the guarded HTTP client and the dispatcher, configured from <c>Muster:Webhooks</c>.
    /// </summary>
    public static MusterBuilder AddWebhooks(this MusterBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptionsWithValidateOnStart<WebhookOptions>()
            .BindConfiguration(WebhookOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.MaxRetryDelay >= o.BaseRetryDelay, "Muster:Webhooks:MaxRetryDelay must not be shorter than BaseRetryDelay.")
            .Validate(o => o.ClaimLease > o.AttemptTimeout, "Muster:Webhooks:ClaimLease must be longer than AttemptTimeout, or a slow send loses its claim mid-flight.");

        services.TryAddSingleton<IHostResolver>(DnsHostResolver.Instance);
        services.Replace(ServiceDescriptor.Singleton<IDeliveryPlanner, DeliveryPlanner>());
        services.Replace(ServiceDescriptor.Singleton<IWebhookUrlValidator, WebhookUrlValidator>());
        services.TryAddSingleton(provider => new GuardedConnector(
            provider.GetRequiredService<IHostResolver>(),
            provider.GetRequiredService<IOptions<WebhookOptions>>().Value.AllowPrivateNetworks,
            $"set {WebhookOptions.Section}:{nameof(WebhookOptions.AllowPrivateNetworks)}=true to allow it."));
        services.TryAddSingleton(CreateSigner);
        services.TryAddSingleton<WebhookSender>();

        services.AddHttpClient(WebhookSender.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(provider => new SocketsHttpHandler
            {
                ConnectCallback = provider.GetRequiredService<GuardedConnector>().ConnectAsync,
                // A redirect would reach a URL nobody validated; receivers must answer at the URL they gave.
                AllowAutoRedirect = false,
                UseProxy = false,
                UseCookies = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            })
            .RemoveAllLoggers();

        services.AddHostedService<WebhookDispatcher>();
        return builder.Added(MusterFeatures.Webhooks);
    }

    private static WebhookSigner CreateSigner(IServiceProvider provider)
    {
        var secret = provider.GetRequiredService<IOptions<WebhookOptions>>().Value.SigningSecret;
        if (!string.IsNullOrEmpty(secret))
        {
            return new WebhookSigner(Encoding.UTF8.GetBytes(secret));
        }

        LogGeneratedSecret(provider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WebhookSigner)));
        return new WebhookSigner(RandomNumberGenerator.GetBytes(32));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Muster:Webhooks:SigningSecret is not set: webhooks are signed with a random key generated at start, which receivers cannot know and which changes on every restart. Set it to a long random secret shared with your receivers.")]
    private static partial void LogGeneratedSecret(ILogger logger);
}
