package dev.jasg.nn.data;

import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.core.JasgException;
import dev.jasg.core.Shape;
import dev.jasg.nn.io.FormatException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReadersTest {
    @TempDir
    Path tmp;

    static byte[] idx(int type, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (int d : dims) b.putInt(d);
        b.put(data);
        return b.array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(raw);
        }
        return out.toByteArray();
    }

    Path write(String name, byte[] bytes) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    void bad(Path p, String expected) {
        FormatException e = assertThrows(FormatException.class, () -> Idx.read(p));
        assertTrue(e.getMessage().contains(expected) && e.getMessage().contains(p.toString()), e.getMessage());
    }

    @Test
    void readsPlainAndGzipIdx() throws IOException {
        byte[] raw = idx(0x08, new int[] {2, 2, 3}, new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, (byte) 255});
        for (Path p : List.of(write("a.idx", raw), write("a.idx.gz", gzip(raw)))) {
            HostTensor t = Idx.read(p);
            assertEquals(DType.I32, t.dtype());
            assertEquals(Shape.of(2, 2, 3), t.shape());
            assertEquals(255, t.at(1, 1, 2));
        }
        ByteBuffer f = ByteBuffer.allocate(8).putFloat(1.5f).putFloat(-2f);
        HostTensor ft = Idx.read(write("f.idx", idx(0x0D, new int[] {2}, f.array())));
        assertArrayEquals(new float[] {1.5f, -2f}, ft.floats());
        assertEquals(-3, Idx.read(write("b.idx", idx(0x09, new int[] {1}, new byte[] {-3}))).item());
    }

    @Test
    void rejectsMalformedIdx() throws IOException {
        byte[] good = idx(0x08, new int[] {2, 3}, new byte[6]);
        byte[] magic = good.clone();
        magic[0] = 0x12;
        bad(write("magic.idx", magic), "bad IDX magic");
        byte[] type = good.clone();
        type[2] = 0x07;
        bad(write("type.idx", type), "unknown IDX element type 0x07");
        bad(write("trunc.idx", java.util.Arrays.copyOf(good, good.length - 2)), "truncated data");
        bad(write("short.idx", new byte[] {0, 0}), "truncated header");
        bad(write("dims.idx", idx(0x08, new int[] {2, 4}, new byte[6])), "dims product mismatch");
        bad(write("neg.idx", idx(0x08, new int[] {-1, 4}, new byte[0])), "negative dimension");
        // A header claiming 2^31 x 2^31 elements is refused before any allocation.
        bad(write("huge.idx", idx(0x08, new int[] {65536, 65536}, new byte[4])), "dims product mismatch");
        bad(write("overflow.idx", idx(0x0E, new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE}, new byte[4])), "overflow");
        bad(write("dims.idx.gz", gzip(idx(0x08, new int[] {3, 3}, new byte[6]))), "gzip trailer");
        byte[] gz = gzip(good);
        bad(write("trunc.idx.gz", java.util.Arrays.copyOf(gz, gz.length - 6)), "");
    }

    @Test
    void readsCsvWithHeaderAndLabel() throws IOException {
        Path p = write("d.csv", "a,label,b\n1,0,2.5\n\n\"3\",2,-1e3\n".getBytes());
        Csv.Table t = Csv.read(p, Csv.Options.defaults().withLabel("label", DType.I32));
        assertEquals(List.of("a", "b"), t.featureNames());
        assertArrayEquals(new float[] {1, 2.5f, 3, -1000}, t.features().floats());
        assertArrayEquals(new float[] {0, 2}, t.labels().floats());
        assertEquals(2, t.toDataset().size());
        Csv.Table noHeader = Csv.read(write("n.csv", "1;2\n3;4\n".getBytes()), Csv.Options.defaults().withoutHeader().withDelimiter(';').withLabel("0", DType.F32));
        assertArrayEquals(new float[] {2, 4}, noHeader.features().floats());
        assertEquals(DType.F32, noHeader.labels().dtype());

        FormatException e = assertThrows(FormatException.class, () -> Csv.read(write("x.csv", "a,b\n1,cat\n".getBytes()), Csv.Options.defaults()));
        assertTrue(e.getMessage().contains("line 2 column 'b': 'cat' is not a number"), e.getMessage());
        assertThrows(FormatException.class, () -> Csv.read(write("w.csv", "a,b\n1,2,3\n".getBytes()), Csv.Options.defaults()));
        assertThrows(FormatException.class, () -> Csv.read(write("l.csv", "a,y\n1,0.5\n".getBytes()), Csv.Options.defaults().withLabel("y", DType.I32)));
        assertThrows(FormatException.class, () -> Csv.read(write("m.csv", "a,y\n1,0\n".getBytes()), Csv.Options.defaults().withLabel("z", DType.I32)));
    }

    @Test
    void fashionMnistMissingSaysHowToGetIt() {
        JasgException e = assertThrows(JasgException.class, () -> FashionMnist.locate(tmp));
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
    }

    @Test
    void fashionMnistFromTheDebianPackage() throws IOException {
        var files = FashionMnist.find(Path.of(FashionMnist.DEBIAN_DIR));
        Assumptions.assumeTrue(files.isPresent(), "Fashion-MNIST not installed in " + FashionMnist.DEBIAN_DIR
                + " (apt-get install dataset-fashion-mnist); skipping the real-data check");
        Idx.Header h = Idx.readHeader(files.get().trainImages());
        assertEquals(Idx.ElementType.UBYTE, h.type());
        assertArrayEquals(new int[] {60000, 28, 28}, h.dims());
        assertArrayEquals(new int[] {60000}, Idx.readHeader(files.get().trainLabels()).dims());
        InMemoryDataset train = FashionMnist.load(files.get().trainImages(), files.get().trainLabels());
        Sample first = train.get(0);
        assertEquals(Shape.of(1, 28, 28), first.features().shape());
        assertEquals(9, first.label().item()); // the first training image is an ankle boot
        float max = 0;
        for (float v : first.features().floats()) max = Math.max(max, v);
        assertTrue(max > 0.5f && max <= 1f, "pixels are scaled to [0, 1]");
    }
}
