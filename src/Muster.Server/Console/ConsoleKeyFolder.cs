using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Options;

namespace Muster.Server.Console;

/// <summary>Keeps the keys that seal sessions in <see cref="ConsoleOptions.KeysPath"/> when it is set (shared by every node).</summary>
internal sealed class ConsoleKeyFolder(IOptions<ConsoleOptions> options, ILoggerFactory loggers) : IConfigureOptions<KeyManagementOptions>
{
    public void Configure(KeyManagementOptions keys)
    {
        if (options.Value.KeysPath is { Length: > 0 } path)
        {
            keys.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(path), loggers);
        }
    }
}
