using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Muster.Server.Console;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The web console under <c>/ui</c>.</summary>
public static class ConsoleServiceCollectionExtensions
{
    /// <summary>Sessions, anti-forgery, the shared live feeds and the console's facade over the server's services.</summary>
    public static IServiceCollection AddMusterConsole(this IServiceCollection services)
    {
        services.AddOptionsWithValidateOnStart<ConsoleOptions>()
            .BindConfiguration(ConsoleOptions.Section)
            .ValidateDataAnnotations();
        services.AddDataProtection().SetApplicationName("Muster");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>, ConsoleKeyFolder>();
        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "muster_antiforgery";
            options.Cookie.Path = ConsoleSessions.CookiePath;
            options.Cookie.SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Strict;
            options.Cookie.HttpOnly = true;
            options.Cookie.SecurePolicy = Microsoft.AspNetCore.Http.CookieSecurePolicy.SameAsRequest;
            // The console sends X-Frame-Options: DENY itself, with frame-ancestors 'none'.
            options.SuppressXFrameOptionsHeader = true;
        });
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ConsoleBackend>();
        services.TryAddSingleton<ConsoleSessions>();
        services.TryAddSingleton<RunFeed>();
        services.TryAddSingleton<RunListFeed>();
        return services;
    }

    /// <summary>Maps <c>/ui</c> with its security headers; needs <see cref="AddMusterConsole"/>.</summary>
    public static WebApplication MapMusterConsole(this WebApplication app)
    {
        if (app.Services.GetService<ConsoleBackend>() is null)
        {
            throw new InvalidOperationException("MapMusterConsole needs services.AddMusterConsole() first.");
        }

        app.Use(ConsoleSecurityHeaders.ApplyAsync);
        ConsoleEndpoints.Map(app);
        return app;
    }
}
