using System.Buffers;
using System.Text.Json;

namespace Muster.Core.Engine;

/// <summary>
/// The size of an event's data as <see cref="RunEventJson"/> writes it (UTF-8 bytes, default encoder: what the store counts), measured
/// without building the text: the writer writes into one reused buffer and only the bytes are counted.
/// </summary>
/// <remarks>
/// One per thread, not one per run: a run in flight keeps its event writer for its whole life, and a 4 KiB buffer each was
/// 40 MB for 10,000 runs, copied by every collection that promoted them (bench/RESULTS.md). Measuring never awaits, so a
/// thread's instance is never used by two measurements at once.
/// </remarks>
internal sealed class JsonSize : IBufferWriter<byte>
{
    [ThreadStatic]
    private static JsonSize? t_current;

    private readonly byte[] _buffer = new byte[4096];
    private readonly Utf8JsonWriter _writer;
    private long _written;

    private JsonSize() => _writer = new Utf8JsonWriter(this);

    /// <summary>The size of <paramref name="data"/> as the store keeps it.</summary>
    public static long Of(RunEventData data) => (t_current ??= new JsonSize()).Measure(data);

    private long Measure(RunEventData data)
    {
        _written = 0;
        _writer.Reset(this);
        RunEventJson.Write(_writer, data);
        _writer.Flush();
        return _written;
    }

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0) => sizeHint <= _buffer.Length ? _buffer : new byte[sizeHint];

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
}
