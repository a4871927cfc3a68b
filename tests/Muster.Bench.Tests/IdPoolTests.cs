namespace Muster.Bench.Tests;

public sealed class IdPoolTests
{
    [Fact]
    public void Empty_PicksTheSeed()
    {
        var pool = new IdPool(10, "seed");

        pool.Count.ShouldBe(0);
        pool.Pick(0).ShouldBe("seed");
        pool.Pick(12_345).ShouldBe("seed");
    }

    [Fact]
    public void Pick_ReturnsOnlyAddedIds_AndSpreadsOverAllOfThem()
    {
        var pool = new IdPool(10, "seed");
        pool.Add("a");
        pool.Add("b");
        pool.Add("c");

        var picked = Enumerable.Range(0, 1_000).Select(i => pool.Pick(i)).ToList();

        pool.Count.ShouldBe(3);
        picked.Distinct().Order().ShouldBe(["a", "b", "c"]);
    }

    [Fact]
    public void AddsBeyondCapacity_AreIgnored()
    {
        var pool = new IdPool(2, "seed");
        foreach (var id in new[] { "a", "b", "c", "d", "e" })
        {
            pool.Add(id);
        }

        pool.Count.ShouldBe(2);
        Enumerable.Range(0, 100).Select(i => pool.Pick(i)).Distinct().Order().ShouldBe(["a", "b"]);
    }

    [Fact]
    public void ConcurrentAdds_AreAllKept()
    {
        var pool = new IdPool(10_000, "seed");

        Parallel.For(0, 4_000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => pool.Add($"id{i}"));

        pool.Count.ShouldBe(4_000);
        // 7919 is prime, so i * 7919 mod 4000 visits every slot once as i runs over 0..3999.
        Enumerable.Range(0, 4_000).Select(i => pool.Pick(i)).Order().ShouldBe(Enumerable.Range(0, 4_000).Select(i => $"id{i}").Order());
    }
}
