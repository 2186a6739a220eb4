package dev.parley.maven;

import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.logging.SystemStreamLog;

/** A Maven log that keeps what the goals say at info and warn level, for assertions. */
final class RecordingLog extends SystemStreamLog {

    final List<String> infos = new ArrayList<>();
    final List<String> warnings = new ArrayList<>();

    @Override
    public void info(CharSequence content) {
        infos.add(content.toString());
    }

    @Override
    public void warn(CharSequence content) {
        warnings.add(content.toString());
    }
}
