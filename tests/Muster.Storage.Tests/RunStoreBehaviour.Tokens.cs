using Muster.Core.Engine;
using static Muster.Storage.Tests.StoreData;

namespace Muster.Storage.Tests;

public abstract partial class RunStoreBehaviour
{
    private static TokenRecord Token(string id, TokenKind kind = TokenKind.Organization, string? user = null, DateTimeOffset? createdAt = null) => new()
    {
        Id = id,
        Hash = "sha256-" + id,
        Kind = kind,
        UserId = user,
        Crews = kind == TokenKind.User ? ["research"] : [],
        Name = "token " + id,
        CreatedAt = createdAt ?? T0,
    };

    [StoreFact]
    public async Task CreateToken_ThenFindByHash_ReturnsIt()
    {
        var token = Token("tok_user", TokenKind.User, "alice");
        await Tokens.CreateTokenAsync(token, Ct);

        var found = (await Tokens.FindTokenByHashAsync("sha256-tok_user", Ct)).ShouldNotBeNull();

        found.Id.ShouldBe("tok_user");
        found.Kind.ShouldBe(TokenKind.User);
        found.UserId.ShouldBe("alice");
        found.Crews.ShouldBe(["research"]);
        found.Name.ShouldBe("token tok_user");
        found.CreatedAt.ShouldBe(T0);
        found.RevokedAt.ShouldBeNull();
        (await Tokens.FindTokenByHashAsync("sha256-unknown", Ct)).ShouldBeNull();
    }

    [StoreFact]
    public async Task ListTokens_ReturnsAllInCreationOrder()
    {
        await Tokens.CreateTokenAsync(Token("tok_b", createdAt: T0.AddSeconds(1)), Ct);
        await Tokens.CreateTokenAsync(Token("tok_a"), Ct);

        (await Tokens.ListTokensAsync(Ct)).Select(t => t.Id).ShouldBe(["tok_a", "tok_b"]);
    }

    [StoreFact]
    public async Task RevokeToken_RevokesOnceAndKeepsTheRecord()
    {
        await Tokens.CreateTokenAsync(Token("tok_a"), Ct);

        (await Tokens.RevokeTokenAsync("tok_a", T0.AddDays(1), Ct)).ShouldBeTrue();
        (await Tokens.RevokeTokenAsync("tok_a", T0.AddDays(2), Ct)).ShouldBeFalse();
        (await Tokens.RevokeTokenAsync("tok_missing", T0, Ct)).ShouldBeFalse();

        (await Tokens.FindTokenByHashAsync("sha256-tok_a", Ct))!.RevokedAt.ShouldBe(T0.AddDays(1));
    }

    [StoreFact]
    public async Task CreateToken_WithTakenId_Throws()
    {
        await Tokens.CreateTokenAsync(Token("tok_a"), Ct);

        await Should.ThrowAsync<Exception>(() => Tokens.CreateTokenAsync(Token("tok_a") with { Hash = "other" }, Ct));
    }

    [StoreFact]
    public async Task CreateToken_KeepsTheManageTokensRightAndTheStatusShape()
    {
        await Tokens.CreateTokenAsync(Token("tok_admin") with { ManageTokens = true, StatusShape = StatusShape.Live }, Ct);
        await Tokens.CreateTokenAsync(Token("tok_plain") with { StatusShape = StatusShape.Documented }, Ct);
        await Tokens.CreateTokenAsync(Token("tok_default"), Ct);

        var admin = (await Tokens.FindTokenByHashAsync("sha256-tok_admin", Ct)).ShouldNotBeNull();
        var plain = (await Tokens.FindTokenByHashAsync("sha256-tok_plain", Ct)).ShouldNotBeNull();
        var byDefault = (await Tokens.FindTokenByHashAsync("sha256-tok_default", Ct)).ShouldNotBeNull();

        (admin.ManageTokens, admin.StatusShape).ShouldBe((true, StatusShape.Live));
        (plain.ManageTokens, plain.StatusShape).ShouldBe((false, StatusShape.Documented));
        (byDefault.ManageTokens, byDefault.StatusShape).ShouldBe((false, (StatusShape?)null));
    }

    [StoreFact]
    public async Task ReplaceTokenId_RenamesTheToken_AndItsRunsOwnerTokenAndStopMessages()
    {
        await Tokens.CreateTokenAsync(Token("tok_old"), Ct);
        var started = await CreateAsync(Run(tokenId: "tok_old", owner: "org:tok_old", idempotencyKey: "key-1"));
        var othersStoppedByIt = await CreateAsync(Run(tokenId: "tok_other", owner: "alice"));
        await Runs.StopAsync(
            othersStoppedByIt,
            run => Event(run.Id, run.LastSequence + 1) with { Data = new CrewKickoffFailed("Stopped by org:tok_old at 12:10", Stopped: true, run.Usage, 600) },
            _ => [],
            Ct);
        var unrelated = await CreateAsync(Run(tokenId: "tok_old_not", owner: "org:tok_old_not"));

        (await Tokens.ReplaceTokenIdAsync("tok_old", "tok_new", Ct)).ShouldBeTrue();

        (await Tokens.FindTokenByHashAsync("sha256-tok_old", Ct))!.Id.ShouldBe("tok_new");
        var run = (await Runs.GetRunAsync(started, Ct)).ShouldNotBeNull();
        (run.OwnerId, run.TokenId).ShouldBe(("org:tok_new", "tok_new"));
        var stopped = (await Runs.GetRunAsync(othersStoppedByIt, Ct)).ShouldNotBeNull();
        (stopped.OwnerId, stopped.Error).ShouldBe(("alice", "Stopped by org:tok_new at 12:10"));
        var other = (await Runs.GetRunAsync(unrelated, Ct)).ShouldNotBeNull();
        (other.OwnerId, other.TokenId).ShouldBe(("org:tok_old_not", "tok_old_not"));
        // The idempotency key is scoped to the token: it still finds the run under the new id.
        var again = await Runs.CreateRunAsync(Run(tokenId: "tok_new", owner: "org:tok_new", idempotencyKey: "key-1", createdAt: T0.AddMinutes(1)), Ct);
        again.RunId.ShouldBe(started);
        (await Runs.ListRunsAsync(new RunQuery { OwnerId = "org:tok_new", Limit = 10 }, Ct)).Runs.Select(r => r.Id).ShouldBe([started]);
    }

    [StoreFact]
    public async Task ReplaceTokenId_OfAnUnknownToken_ReturnsFalseAndLeavesTheRunsAlone()
    {
        var id = await CreateAsync(Run(tokenId: "tok_gone", owner: "org:tok_gone"));

        (await Tokens.ReplaceTokenIdAsync("tok_gone", "tok_new", Ct)).ShouldBeFalse();

        (await Runs.GetRunAsync(id, Ct))!.OwnerId.ShouldBe("org:tok_gone");
    }
}
