using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Muster.Server.Hosting.Logging;

namespace Microsoft.Extensions.DependencyInjection;

public static class LoggingServiceCollectionExtensions
{
    /// <summary>
    /// Replaces the logger factory with one that blanks secrets in every entry (<see cref="RedactingLoggerFactory"/>): a
    /// token sent in a URL's query or a credential header never reaches the log.
    /// </summary>
    public static IServiceCollection AddMusterLogRedaction(this IServiceCollection services)
    {
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp => new RedactingLoggerFactory(new LoggerFactory(
            sp.GetServices<ILoggerProvider>(),
            sp.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(),
            sp.GetService<IOptions<LoggerFactoryOptions>>(),
            sp.GetService<IExternalScopeProvider>()))));
        return services;
    }
}
