package dev.parley.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.rides.RideService;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContractClassLoaderTest {

    @TempDir
    Path classes;

    @Test
    void loadsTheProjectsContractWhileParleysAnnotationsComeFromTheTool() throws Exception {
        copyClassFilesOf(RideService.class);
        copyClassFile(Contract.class); // the project's own copy of parley-core, which must not win

        try (ContractClassLoader loader = ContractClassLoader.of(List.of(classes), getClass().getClassLoader())) {
            Class<?> rides = loader.loadClass(RideService.class.getName());

            assertThat(rides).isNotSameAs(RideService.class);
            assertThat(rides.getClassLoader()).isSameAs(loader);
            assertThat(loader.loadClass(Contract.class.getName())).isSameAs(Contract.class);
            ContractDescriptor descriptor = ContractDescriptor.of(rides);
            assertThat(descriptor.name()).isEqualTo("rides");
            assertThat(descriptor.version()).isEqualTo(new Version(1, 3));
            assertThat(descriptor.message("RideRequest").orElseThrow().field("seats").orElseThrow().defaultValue()).contains("1");
        }
    }

    @Test
    void aPlainChildOfTheToolsLoaderWouldSeeADifferentContractAnnotation() throws Exception {
        // Why the loader exists: a loader that prefers the project's copy of parley-core links the
        // contract to a second @Contract class, and the contract looks unannotated.
        copyClassFilesOf(RideService.class);
        copyClassFile(Contract.class);
        try (URLClassLoader childFirstForEverything = new URLClassLoader(
                new URL[] {classes.toUri().toURL()}, getClass().getClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                synchronized (getClassLoadingLock(name)) {
                    Class<?> loaded = findLoadedClass(name);
                    if (loaded == null && !name.startsWith("java.")) {
                        try {
                            loaded = findClass(name);
                        } catch (ClassNotFoundException e) {
                            loaded = null;
                        }
                    }
                    return loaded != null ? loaded : super.loadClass(name, resolve);
                }
            }
        }) {
            Class<?> rides = childFirstForEverything.loadClass(RideService.class.getName());

            assertThatThrownBy(() -> ContractDescriptor.of(rides))
                    .isInstanceOf(ContractException.class)
                    .hasMessageContaining("missing @Contract");
        }
    }

    @Test
    void jdkClassesComeFromTheJdk() throws Exception {
        try (ContractClassLoader loader = ContractClassLoader.of(List.of(classes), getClass().getClassLoader())) {
            assertThat(loader.loadClass("java.util.List")).isSameAs(List.class);
        }
    }

    @Test
    void classesOutsideTheProjectFallBackToTheTool() throws Exception {
        try (ContractClassLoader loader = ContractClassLoader.of(List.of(classes), getClass().getClassLoader())) {
            assertThat(loader.loadClass(RideService.class.getName())).isSameAs(RideService.class);
            assertThat(loader.loadClass(Test.class.getName())).isSameAs(Test.class);
        }
    }

    @Test
    void missingClassesAndMissingEntries() throws Exception {
        Path missing = classes.resolve("does-not-exist.jar");
        try (ContractClassLoader loader = ContractClassLoader.of(List.of(missing, classes), getClass().getClassLoader())) {
            assertThatThrownBy(() -> loader.loadClass("com.example.rides.NoSuchContract"))
                    .isInstanceOf(ClassNotFoundException.class)
                    .hasMessageContaining("com.example.rides.NoSuchContract");
        }
    }

    private void copyClassFilesOf(Class<?> type) throws IOException, URISyntaxException {
        Path source = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path packageDir = source.resolve(type.getPackageName().replace('.', '/'));
        Path target = Files.createDirectories(classes.resolve(type.getPackageName().replace('.', '/')));
        try (Stream<Path> files = Files.list(packageDir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith(type.getSimpleName())).toList()) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
        }
    }

    private void copyClassFile(Class<?> type) throws IOException {
        String resource = type.getName().replace('.', '/') + ".class";
        Path target = classes.resolve(resource);
        Files.createDirectories(target.getParent());
        try (InputStream in = type.getClassLoader().getResourceAsStream(resource)) {
            Files.copy(in, target);
        }
    }
}
