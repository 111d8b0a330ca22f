import java.util.concurrent.atomic.DoubleAdder;

/**
 * A STREAM-like read-bandwidth probe (java ReadBandwidth.java [threads] [MiB]): each thread sums its own
 * slice of a large long[] several times; prints the best GB/s. Decoding one token reads every weight once,
 * so weight bytes per token / this figure bounds tokens per second from above.
 */
public class ReadBandwidth {
    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int mib = args.length > 1 ? Integer.parseInt(args[1]) : 512;
        long[][] slices = new long[threads][(int) ((long) mib * 1024 * 1024 / 8 / threads)];
        for (long[] s : slices) for (int i = 0; i < s.length; i++) s[i] = i;
        double best = 0;
        DoubleAdder sink = new DoubleAdder();
        for (int rep = 0; rep < 7; rep++) {
            Thread[] ts = new Thread[threads];
            long t0 = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                long[] s = slices[t];
                ts[t] = new Thread(() -> {
                    long a = 0, b = 0, c = 0, d = 0;
                    for (int i = 0; i < s.length; i += 4) { a += s[i]; b += s[i + 1]; c += s[i + 2]; d += s[i + 3]; }
                    sink.add(a + b + c + d);
                });
                ts[t].start();
            }
            for (Thread t : ts) t.join();
            double gbs = (double) mib * 1024 * 1024 / ((System.nanoTime() - t0) / 1e9) / 1e9;
            if (rep > 0) best = Math.max(best, gbs);
        }
        System.out.printf("%.2f%n", best);
        if (sink.sum() == 42) System.err.println();
    }
}
