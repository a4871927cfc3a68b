using System.Diagnostics;

namespace Muster.Server.Tests.StoreOutages;

/// <summary>
/// A tmpfs of a few megabytes mounted on a temp folder (root only), which a test fills to the last byte and empties
/// again: a real full disk, with the errors a full disk gives.
/// </summary>
internal sealed class TinyDisk : IDisposable
{
    private readonly string _filler;

    private TinyDisk(string path)
    {
        Path = path;
        _filler = System.IO.Path.Combine(path, "filler");
    }

    public string Path { get; }

    public static TinyDisk Mount(int megabytes)
    {
        var path = Directory.CreateTempSubdirectory("muster-tinydisk-").FullName;
        Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", path);
        return new TinyDisk(path);
    }

    /// <summary>Writes a file until the disk refuses another byte.</summary>
    public void Fill()
    {
        using var file = new FileStream(_filler, FileMode.Append, FileAccess.Write, FileShare.None, bufferSize: 1);
        var chunk = new byte[4096];
        try
        {
            while (true)
            {
                file.Write(chunk);
            }
        }
        catch (IOException)
        {
            // ENOSPC: full. Smaller pieces take what the last chunk could not.
            FillRest(file);
        }
    }

    /// <summary>Gives the space back.</summary>
    public void Free() => File.Delete(_filler);

    public void Dispose()
    {
        // Lazily: a server that has just stopped may still hold a file open for a moment.
        Run("umount", "-l", Path);
        Directory.Delete(Path);
    }

    private static void FillRest(FileStream file)
    {
        var single = new byte[1];
        try
        {
            while (true)
            {
                file.Write(single);
            }
        }
        catch (IOException)
        {
            // Not one more byte fits.
        }
    }

    private static void Run(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error}");
        }
    }
}

/// <summary>A test that mounts a <see cref="TinyDisk"/>: Linux as root only (CI runs as root); reported as skipped elsewhere.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class TinyDiskFactAttribute : FactAttribute
{
    public TinyDiskFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            Skip = "Mounting a tmpfs to fill needs root on Linux.";
        }
    }
}
