package io.promptune.providers.resilience;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;

class RateLimiterTest {
    @Test
    void requestsPerMinuteLetsABurstThroughThenSpacesRequests() throws InterruptedException {
        FakeTime time = new FakeTime();
        RateLimiter rl = new RateLimiter(60, 0, time);
        for (int i = 0; i < 60; i++) assertEquals(Duration.ZERO, rl.acquire(10), "request " + i);
        Duration waited = rl.acquire(10);
        // one request per second refills: the 61st waits about a second
        assertTrue(waited.toMillis() >= 990 && waited.toMillis() <= 1010, waited.toString());
    }

    @Test
    void tokensPerMinuteWaitsForTokensAndSettlesTheRealUsage() throws InterruptedException {
        FakeTime time = new FakeTime();
        RateLimiter rl = new RateLimiter(0, 1000, time);
        assertEquals(Duration.ZERO, rl.acquire(600));
        // the request really used 900 tokens: 100 left
        rl.settle(600, 900);
        Duration waited = rl.acquire(400);
        // 300 more tokens at 1000/min take 18 s
        assertTrue(waited.toMillis() >= 17_900 && waited.toMillis() <= 18_100, waited.toString());
    }

    @Test
    void aRequestBiggerThanTheBucketStillGoesWhenTheBucketIsFull() throws InterruptedException {
        FakeTime time = new FakeTime();
        RateLimiter rl = new RateLimiter(0, 100, time);
        assertEquals(Duration.ZERO, rl.acquire(5000));
    }
}
