package dev.fleethook.policy.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.fleethook.policy.service.PolicyDiff.Change;

/** {@link PolicyDiff} on each kind of change between two stored policy documents (plain JSON, no Quarkus). */
class PolicyDiffTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    static List<Change> diff(String before, String after) {
        return PolicyDiff.between(json(before), json(after));
    }

    @Test
    void identicalDocumentsHaveNoChanges() {
        String doc = "{'name':'Nightly','schedule':{'kind':'daily','time':'02:00'},'hooks':[{'phase':'before-backup'}]}";
        assertEquals(List.of(), diff(doc, doc));
    }

    @Test
    void aChangedValueIsNamedByItsDottedPath() {
        assertEquals(List.of(new Change("schedule.time", "02:00", "03:30")),
                diff("{'schedule':{'kind':'daily','time':'02:00'}}", "{'schedule':{'kind':'daily','time':'03:30'}}"));
        assertEquals(List.of(new Change("windowMinutes", "60", "90"), new Change("scripts.skipBackupIfPreScriptFails",
                "false", "true")), diff("{'windowMinutes':60,'scripts':{'skipBackupIfPreScriptFails':false}}",
                        "{'windowMinutes':90,'scripts':{'skipBackupIfPreScriptFails':true}}"));
    }

    @Test
    void anAddedFieldHasNoBeforeAndARemovedOneNoAfter() {
        assertEquals(List.of(new Change("description", null, "Every night")),
                diff("{'name':'N'}", "{'name':'N','description':'Every night'}"));
        assertEquals(List.of(new Change("windowMinutes", "60", null)), diff("{'name':'N','windowMinutes':60}", "{'name':'N'}"));
        // JSON null is the same as absent.
        assertEquals(List.of(), diff("{'name':'N','windowMinutes':null}", "{'name':'N'}"));
    }

    @Test
    void listElementsAreComparedByIndex() {
        assertEquals(List.of(new Change("hooks[1].mode", "essential", "async")),
                diff("{'hooks':[{'mode':'essential'},{'mode':'essential'}]}", "{'hooks':[{'mode':'essential'},{'mode':'async'}]}"));
        assertEquals(List.of(new Change("backup.sources[1]", null, "/home")),
                diff("{'backup':{'sources':['/data']}}", "{'backup':{'sources':['/data','/home']}}"), "an element added");
        assertEquals(List.of(new Change("backup.sources[0]", "/data", "/home"), new Change("backup.sources[1]", "/home", null)),
                diff("{'backup':{'sources':['/data','/home']}}", "{'backup':{'sources':['/home']}}"),
                "the first removed: the rest shift");
    }

    @Test
    void anEmptyListIsAValueOfItsOwn() {
        // Fields of the earlier document come first, then those only the later one has.
        assertEquals(List.of(new Change("backup.excludes[0]", "*.tmp", null), new Change("backup.excludes", null, "[]")),
                diff("{'backup':{'excludes':['*.tmp']}}", "{'backup':{'excludes':[]}}"));
        assertEquals(List.of(new Change("hooks", "[]", null), new Change("hooks[0].phase", null, "after-backup")),
                diff("{'hooks':[]}", "{'hooks':[{'phase':'after-backup'}]}"));
    }

    @Test
    void aWholeObjectAddedOrRemovedListsEachOfItsLeaves() {
        assertEquals(List.of(new Change("backup.engine", "archive", "restic"), new Change("backup.archive.destination", "/b", null),
                new Change("backup.archive.retention", "7", null), new Change("backup.restic.repository", null, "/repo"),
                new Change("backup.restic.passwordSecret", null, "restic-main")),
                diff("{'backup':{'engine':'archive','archive':{'destination':'/b','retention':7}}}",
                        "{'backup':{'engine':'restic','restic':{'repository':'/repo','passwordSecret':'restic-main'}}}"));
    }

    @Test
    void aValueThatChangesTypeIsStillOneChange() {
        assertEquals(List.of(new Change("retry.count", "3", "3 times")), diff("{'retry':{'count':3}}", "{'retry':{'count':'3 times'}}"));
        assertEquals(List.of(new Change("command", "/bin/true", null), new Change("command[0]", null, "/bin/true")),
                diff("{'command':'/bin/true'}", "{'command':['/bin/true']}"));
    }

    /**
     * Re-applying a change on a newer revision: what only I changed takes my value, what only they changed keeps
     * theirs (also a hook they added), a field both changed differently keeps mine and is named as a clash.
     */
    @Test
    void aChangeIsReappliedOnTopOfANewerRevision() {
        JsonNode base = json("{'name':'N','retry':{'count':1,'intervalMinutes':15},'windowMinutes':60,'hooks':[]}");
        JsonNode mine = json("{'name':'Mine','retry':{'count':1,'intervalMinutes':30},'windowMinutes':90,'hooks':[]}");
        JsonNode theirs = json("{'name':'N','retry':{'count':4,'intervalMinutes':15},'windowMinutes':120,"
                + "'hooks':[{'phase':'after-backup'}]}");
        PolicyDiff.Reapplied r = PolicyDiff.reapply(base, mine, theirs);
        assertEquals(json("{'name':'Mine','retry':{'count':4,'intervalMinutes':30},'windowMinutes':90,"
                + "'hooks':[{'phase':'after-backup'}]}"), r.spec());
        assertEquals(List.of("windowMinutes"), r.clashes());
        // Both edited the hook list to different lengths: one clash for the whole list, mine kept.
        PolicyDiff.Reapplied lists = PolicyDiff.reapply(json("{'hooks':[]}"), json("{'hooks':[{'phase':'x'}]}"),
                json("{'hooks':[{'phase':'y'},{'phase':'z'}]}"));
        assertEquals(List.of("hooks"), lists.clashes());
        assertEquals(json("{'hooks':[{'phase':'x'}]}"), lists.spec());
        // A field I removed stays removed when they did not touch it.
        assertEquals(json("{'a':2}"), PolicyDiff.reapply(json("{'a':1,'b':1}"), json("{'a':1}"), json("{'a':2,'b':1}")).spec());
    }
}
