using System.Buffers;
using System.Text.Json;

namespace Muster.Core.Engine;

/// <summary>
/// The size of an event's data as <see cref="RunEventJson"/> writes it (UTF-8 bytes, default encoder: what the store counts), measured
/// without building the text: the writer writes into one reused buffer and only the bytes are counted. Not thread-safe.
/// </summary>
internal sealed class JsonSize : IBufferWriter<byte>, IDisposable
{
    private readonly byte[] _buffer = new byte[4096];
    private readonly Utf8JsonWriter _writer;
    private long _written;

    public JsonSize() => _writer = new Utf8JsonWriter(this);

    public long Of(RunEventData data)
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

    public void Dispose() => _writer.Dispose();
}
