using System.CommandLine;
using Muster.Cli.Infrastructure;
using Muster.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Muster.Cli.Commands;

/// <summary>
/// <c>muster db migrate</c>: creates or migrates the configured store's schema (<see cref="IRunStore.InitializeAsync"/>),
/// the same step every server runs at start; safe while servers run and when several migrations run at once.
/// </summary>
internal static class DbMigrateCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var store = new StoreAccess();
        var command = new Command("migrate", "Create or migrate the store's schema (Muster:Storage, or --storage-provider/--connection-string)");
        store.AddTo(command, withStoreFlag: false);
        command.SetAction(CommandRunner.Action(globals, async (context, parse, cancellationToken) =>
        {
            await using var services = store.Describe(parse, out var provider);
            await services.GetRequiredService<IRunStore>().InitializeAsync(cancellationToken);
            context.Note($"The {provider} store's schema is up to date.");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
