package io.github.tangent4j.spark;

import io.github.tangent4j.tensor.StoreDirectory;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * A {@link StoreDirectory} on any Hadoop filesystem ({@code file:}, {@code hdfs:}, {@code s3a:}, ...)
 * through Hadoop's {@link FileSystem} API. A file is written to a hidden temporary name in the same
 * directory, given the filesystem's default file permissions (umask applied) and renamed onto its name
 * with {@link FileSystem#rename}. Where rename does not replace (HDFS), a file already there of the
 * same size is the same chunk written by another attempt of the same task, so the write is done; on the
 * local filesystem the raw filesystem is used, so no {@code .crc} side files appear in the store.
 */
final class HadoopStoreDirectory implements StoreDirectory {
    private final String uri;
    private final FileSystem fs;
    private final Path dir;
    private final Configuration conf;

    /** The directory at {@code uri} with the Hadoop configuration {@code conf}. */
    HadoopStoreDirectory(String uri, Configuration conf) throws IOException {
        this.uri = Objects.requireNonNull(uri, "uri");
        this.conf = conf;
        this.dir = new Path(uri);
        FileSystem f = dir.getFileSystem(conf);
        this.fs = f instanceof LocalFileSystem local ? local.getRawFileSystem() : f;
    }

    @Override
    public String location() {
        return uri;
    }

    @Override
    public void create() throws IOException {
        fs.mkdirs(dir);
    }

    @Override
    public List<String> list() throws IOException {
        List<String> names = new ArrayList<>();
        try {
            for (FileStatus s : fs.listStatus(dir)) {
                names.add(s.getPath().getName());
            }
        } catch (FileNotFoundException e) {
            return List.of();
        }
        return names;
    }

    @Override
    public long size(String name) throws IOException {
        try {
            return fs.getFileStatus(new Path(dir, name)).getLen();
        } catch (FileNotFoundException e) {
            return -1;
        }
    }

    @Override
    public byte[] read(String name) throws IOException {
        Path p = new Path(dir, name);
        long len = fs.getFileStatus(p).getLen();
        byte[] b = new byte[Math.toIntExact(len)];
        try (var in = fs.open(p)) {
            in.readFully(0, b);
        }
        return b;
    }

    @Override
    public void write(String name, byte[] content) throws IOException {
        Path target = new Path(dir, name);
        Path tmp = new Path(dir, StoreDirectory.temporaryName(name));
        boolean done = false;
        try {
            try (FSDataOutputStream out = fs.create(tmp, false)) {
                out.write(content);
                out.hsync();
            }
            fs.setPermission(tmp, FsPermission.getFileDefault().applyUMask(FsPermission.getUMask(conf)));
            if (fs.rename(tmp, target)) {
                done = true;
                return;
            }
            // Not replaced (HDFS): replace an existing file of another size (damaged), keep one of ours.
            FileStatus there = fs.getFileStatus(target);
            if (there.getLen() != content.length) {
                fs.delete(target, false);
                if (!fs.rename(tmp, target)) {
                    throw new IOException(uri + "/" + name + ": could not rename the written temporary file onto it");
                }
                done = true;
            }
        } finally {
            if (!done) {
                fs.delete(tmp, false);
            }
        }
    }

    @Override
    public void delete(String name) throws IOException {
        fs.delete(new Path(dir, name), false);
    }
}
