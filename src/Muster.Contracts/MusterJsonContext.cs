using System.Text.Json.Serialization;
using Muster.Contracts.Amp;
using Muster.Contracts.Runs;
using Muster.Contracts.Tokens;

namespace Muster.Contracts;

/// <summary>Source-generated JSON metadata for every wire type. Nulls are omitted.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(InputsResponse))]
[JsonSerializable(typeof(LegacyInputsResponse))]
[JsonSerializable(typeof(KickoffRequest))]
[JsonSerializable(typeof(KickoffResponse))]
[JsonSerializable(typeof(StatusResponse))]
[JsonSerializable(typeof(LegacyStatusResponse))]
[JsonSerializable(typeof(ResumeRequest))]
[JsonSerializable(typeof(ResumeResponse))]
[JsonSerializable(typeof(StopResponse))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(DetailResponse))]
[JsonSerializable(typeof(CrewRunRecord))]
[JsonSerializable(typeof(IReadOnlyList<CrewRunRecord>))]
[JsonSerializable(typeof(IReadOnlyList<RunFileRecord>))]
[JsonSerializable(typeof(RunCrewRequest))]
[JsonSerializable(typeof(RunCustomCrewRequest))]
[JsonSerializable(typeof(RunCreatedResponse))]
[JsonSerializable(typeof(RunEventDto))]
[JsonSerializable(typeof(IReadOnlyList<RunEventDto>))]
[JsonSerializable(typeof(IReadOnlyList<DeliveryDto>))]
[JsonSerializable(typeof(ValidationErrorResponse))]
[JsonSerializable(typeof(UsageReport))]
[JsonSerializable(typeof(IReadOnlyList<CrewInfo>))]
[JsonSerializable(typeof(CreateTokenRequest))]
[JsonSerializable(typeof(CreatedTokenResponse))]
[JsonSerializable(typeof(IReadOnlyList<TokenInfo>))]
public sealed partial class MusterJsonContext : JsonSerializerContext;
