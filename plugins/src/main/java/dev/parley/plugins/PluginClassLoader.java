package dev.parley.plugins;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;

/**
 * The class loader of one plugin version. It reads classes from the version's extracted
 * directories (no open jar files to leak) and decides where each class comes from:
 *
 * <pre>
 *  java.*                          -> the JDK (platform loader)
 *  the contract's packages, shared -> the consumer's loader (same Class objects on both sides)
 *  everything else                 -> the plugin first, then the JDK; never the consumer's libraries
 * </pre>
 *
 * <p>So two versions bundling conflicting versions of a library each see their own, and the
 * consumer's copy of that library stays invisible to both.
 */
final class PluginClassLoader extends ClassLoader implements AutoCloseable {

    static {
        registerAsParallelCapable();
    }

    private final List<Path> roots;
    private final ClassLoader host;
    private final Set<String> sharedPackages;
    private final List<String> sharedPrefixes;
    private volatile boolean closed;

    PluginClassLoader(String name, List<Path> roots, ClassLoader host, Set<String> sharedPackages, List<String> sharedPrefixes) {
        super(name, ClassLoader.getPlatformClassLoader());
        this.roots = List.copyOf(roots);
        this.host = host;
        this.sharedPackages = Set.copyOf(sharedPackages);
        this.sharedPrefixes = List.copyOf(sharedPrefixes);
    }

    boolean isShared(String className) {
        int dot = className.lastIndexOf('.');
        String pkg = dot < 0 ? "" : className.substring(0, dot);
        if (sharedPackages.contains(pkg)) {
            return true;
        }
        for (String prefix : sharedPrefixes) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                if (name.startsWith("java.")) {
                    c = getParent().loadClass(name);
                } else if (isShared(name)) {
                    c = host.loadClass(name);
                } else {
                    try {
                        c = findClass(name);
                    } catch (ClassNotFoundException e) {
                        c = getParent().loadClass(name);
                    }
                }
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        if (closed) {
            throw new ClassNotFoundException(name + " (the class loader of " + getName() + " is closed)");
        }
        String path = name.replace('.', '/') + ".class";
        for (Path root : roots) {
            Path file = root.resolve(path);
            if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                byte[] bytes;
                try {
                    bytes = Files.readAllBytes(file);
                } catch (IOException e) {
                    throw new ClassNotFoundException(name + ": " + e, e);
                }
                int dot = name.lastIndexOf('.');
                if (dot > 0) {
                    String pkg = name.substring(0, dot);
                    if (getDefinedPackage(pkg) == null) {
                        try {
                            definePackage(pkg, null, null, null, null, null, null, null);
                        } catch (IllegalArgumentException raced) {
                            // defined by a parallel load of another class of the package
                        }
                    }
                }
                return defineClass(name, bytes, 0, bytes.length);
            }
        }
        throw new ClassNotFoundException(name);
    }

    @Override
    public URL getResource(String name) {
        URL own = findResource(name);
        return own != null ? own : getParent().getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        List<URL> all = new ArrayList<>(Collections.list(findResources(name)));
        all.addAll(Collections.list(getParent().getResources(name)));
        return Collections.enumeration(all);
    }

    @Override
    protected URL findResource(String name) {
        List<URL> found = own(name, true);
        return found.isEmpty() ? null : found.get(0);
    }

    @Override
    protected Enumeration<URL> findResources(String name) {
        return Collections.enumeration(own(name, false));
    }

    private List<URL> own(String name, boolean first) {
        List<URL> found = new ArrayList<>();
        if (closed || name.startsWith("/") || List.of(name.split("/")).contains("..")) {
            return found;
        }
        for (Path root : roots) {
            Path file = root.resolve(name).normalize();
            if (file.startsWith(root) && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    found.add(file.toUri().toURL());
                } catch (MalformedURLException e) {
                    continue;
                }
                if (first) {
                    break;
                }
            }
        }
        return found;
    }

    /** Stops loading; classes already loaded stay usable until they are collected. Holds no files. */
    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "PluginClassLoader(" + getName() + ")";
    }
}
