// Reads a .properties file with java.util.Properties#load (what Spark's
// Utils.getPropertiesFromFile does with spark-defaults.conf) and prints each key and value as
// hex of their UTF-8 bytes, one "KEYHEX VALUEHEX" line each, so the caller compares them exactly.
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Properties;

public class Props {
  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    try (InputStreamReader in =
        new InputStreamReader(new FileInputStream(args[0]), StandardCharsets.UTF_8)) {
      p.load(in);
    }
    HexFormat hex = HexFormat.of();
    for (String k : p.stringPropertyNames()) {
      System.out.println(hex.formatHex(k.getBytes(StandardCharsets.UTF_8)) + " "
          + hex.formatHex(p.getProperty(k).getBytes(StandardCharsets.UTF_8)));
    }
  }
}
