<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>FollowReader</name>
    <message>
        <location filename="../app/workbench/run_follower.cpp" line="54"/>
        <source>%1 is no longer there; still looking for it</source>
        <translation>%1 ist nicht mehr da; es wird weiter danach gesucht</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <location filename="../app/workbench/image_export.cpp" line="54"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location filename="../app/workbench/image_export.cpp" line="58"/>
        <source>%1: cannot write here (is the folder writable, is the disk full?)</source>
        <translation>%1: Schreiben hier nicht möglich (ist der Ordner beschreibbar, ist der Datenträger voll?)</translation>
    </message>
    <message>
        <location filename="../app/workbench/image_export.cpp" line="66"/>
        <source>%1: cannot replace the existing file</source>
        <translation>%1: Die vorhandene Datei kann nicht ersetzt werden</translation>
    </message>
    <message>
        <location filename="../app/workbench/image_export.cpp" line="89"/>
        <location filename="../app/workbench/image_export.cpp" line="107"/>
        <source>There are no synthetic images to export yet</source>
        <translation>Es gibt noch keine synthetischen Bilder zum Exportieren</translation>
    </message>
    <message>
        <location filename="../app/workbench/image_export.cpp" line="90"/>
        <location filename="../app/workbench/image_export.cpp" line="108"/>
        <source>The scale must be between 1 and 64</source>
        <translation>Der Maßstab muss zwischen 1 und 64 liegen</translation>
    </message>
    <message>
        <location filename="../app/workbench/image_export.cpp" line="112"/>
        <source>%1: cannot create this folder</source>
        <translation>%1: Dieser Ordner kann nicht angelegt werden</translation>
    </message>
    <message>
        <location filename="../widgets/image_conversion.cpp" line="81"/>
        <source>1 image</source>
        <translation>1 Bild</translation>
    </message>
    <message>
        <location filename="../widgets/image_conversion.cpp" line="81"/>
        <source>%1 images</source>
        <translation>%1 Bilder</translation>
    </message>
    <message>
        <location filename="../widgets/image_conversion.cpp" line="82"/>
        <source>Iteration %1 · %2 · %3</source>
        <translation>Iteration %1 · %2 · %3</translation>
    </message>
    <message>
        <location filename="../widgets/image_conversion.cpp" line="86"/>
        <source>hard labels</source>
        <translation>harte Labels</translation>
    </message>
    <message>
        <location filename="../widgets/image_conversion.cpp" line="87"/>
        <source>teacher labels (TESLA)</source>
        <translation>Lehrer-Labels (TESLA)</translation>
    </message>
    <message>
        <location filename="../widgets/image_conversion.cpp" line="88"/>
        <source>learned labels (DATM)</source>
        <translation>gelernte Labels (DATM)</translation>
    </message>
</context>
<context>
    <name>RunLoader</name>
    <message>
        <location filename="../app/workbench/run_loader.cpp" line="270"/>
        <source>%1 does not exist</source>
        <translation>%1 existiert nicht</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_loader.cpp" line="274"/>
        <source>%1 is not a run folder: it has no %2, %3 or %4</source>
        <translation>%1 ist kein Laufordner: Er enthält weder %2 noch %3 noch %4</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_loader.cpp" line="306"/>
        <source>%1: cannot be read (%2)</source>
        <translation>%1: kann nicht gelesen werden (%2)</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_loader.cpp" line="316"/>
        <source>%1 is not a valid metrics file: %2</source>
        <translation>%1 ist keine gültige Metrikdatei: %2</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_loader.cpp" line="287"/>
        <source>%1: no %2, and its %3 cannot be read: %4</source>
        <translation>%1: keine %2, und %3 kann nicht gelesen werden: %4</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_loader.cpp" line="290"/>
        <source>%1: no %2, so no curves</source>
        <translation>%1: keine %2, daher keine Kurven</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_loader.cpp" line="293"/>
        <source>%1: no %2, so no images</source>
        <translation>%1: keine %2, daher keine Bilder</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_loader.cpp" line="333"/>
        <source>no %1 or %2 says which data the images are of</source>
        <translation>weder %1 noch %2 gibt an, zu welchen Daten die Bilder gehören</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_loader.cpp" line="207"/>
        <source>its images are %1×%2×%3, but %4&apos;s are %5×%6×%7</source>
        <translation>seine Bilder sind %1×%2×%3, die von %4 aber %5×%6×%7</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_loader.cpp" line="205"/>
        <source>its images have %1 dimensions instead of 4</source>
        <translation>seine Bilder haben %1 Dimensionen statt 4</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_loader.cpp" line="342"/>
        <source>its images are %1 data, but the run&apos;s settings give %2 data</source>
        <translation>seine Bilder sind %1-Daten, die Einstellungen des Laufs ergeben aber %2-Daten</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_loader.cpp" line="349"/>
        <location filename="../app/workbench/run_loader.cpp" line="391"/>
        <location filename="../app/workbench/run_loader.cpp" line="398"/>
        <source>its labels do not fit the %1 classes of %2</source>
        <translation>seine Labels passen nicht zu den %1 Klassen von %2</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_loader.cpp" line="358"/>
        <location filename="../app/workbench/run_loader.cpp" line="403"/>
        <source>Images not shown: %1</source>
        <translation>Bilder nicht angezeigt: %1</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_loader.cpp" line="359"/>
        <location filename="../app/workbench/run_loader.cpp" line="403"/>
        <source>Images not shown: %1: %2</source>
        <translation>Bilder nicht angezeigt: %1: %2</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_loader.cpp" line="297"/>
        <source>%1: no distillation steps, evaluations or images to show</source>
        <translation>%1: keine Destillationsschritte, Evaluationen oder Bilder zum Anzeigen</translation>
    </message>
</context>
<context>
    <name>distillery::engine_messages</name>
    <message>
        <location filename="../core/common/engine_messages.h" line="11"/>
        <source>{1} must be a number, not &apos;{2}&apos;</source>
        <translation>{1} muss eine Zahl sein, nicht „{2}“</translation>
    </message>
    <message>
        <location filename="../core/common/engine_messages.h" line="12"/>
        <source>{1} must be an integer, not &apos;{2}&apos;</source>
        <translation>{1} muss eine ganze Zahl sein, nicht „{2}“</translation>
    </message>
    <message>
        <location filename="../core/common/engine_messages.h" line="13"/>
        <source>{1} must be true or false, not &apos;{2}&apos;</source>
        <translation>{1} muss true oder false sein, nicht „{2}“</translation>
    </message>
    <message>
        <location filename="../core/common/engine_messages.h" line="14"/>
        <source>{1} must be at most {2}, not {3}</source>
        <translation>{1} darf höchstens {2} sein, nicht {3}</translation>
    </message>
    <message>
        <location filename="../core/common/engine_messages.h" line="15"/>
        <source>{1} must lie between {2} and {3}, not {4}</source>
        <translation>{1} muss zwischen {2} und {3} liegen, nicht {4}</translation>
    </message>
    <message>
        <location filename="../core/common/engine_messages.h" line="16"/>
        <source>method must be mtt, tesla or datm, not &apos;{1}&apos;</source>
        <translation>method muss mtt, tesla oder datm sein, nicht „{1}“</translation>
    </message>
    <message>
        <location filename="../core/common/engine_messages.h" line="17"/>
        <source>unknown gradient mode &apos;{1}&apos; (use unrolled, tesla or exact)</source>
        <translation>unbekannter Gradientenmodus „{1}“ (unrolled, tesla oder exact verwenden)</translation>
    </message>
    <message>
        <location filename="../core/common/engine_messages.h" line="18"/>
        <source>unknown hyperparameter &apos;{1}&apos;</source>
        <translation>unbekannter Hyperparameter „{1}“</translation>
    </message>
    <message>
        <location filename="../core/common/engine_messages.h" line="21"/>
        <source>{1} must be positive</source>
        <translation>{1} muss positiv sein</translation>
    </message>
    <message>
        <location filename="../core/common/engine_messages.h" line="22"/>
        <source>{1} must not be negative</source>
        <translation>{1} darf nicht negativ sein</translation>
    </message>
    <message>
        <location filename="../core/common/engine_messages.h" line="23"/>
        <source>max_start_epoch must be greater than min_start_epoch</source>
        <translation>max_start_epoch muss größer als min_start_epoch sein</translation>
    </message>
    <message>
        <location filename="../core/common/engine_messages.h" line="24"/>
        <source>current_max_start_epoch must lie in (min_start_epoch, max_start_epoch] = ({1}, {2}], not {3}</source>
        <translation>current_max_start_epoch muss in (min_start_epoch, max_start_epoch] = ({1}, {2}] liegen, nicht {3}</translation>
    </message>
    <message>
        <location filename="../core/common/engine_messages.h" line="25"/>
        <source>momentum must lie in [0, 1)</source>
        <translation>Das Momentum muss in [0, 1) liegen</translation>
    </message>
    <message>
        <location filename="../core/common/engine_messages.h" line="26"/>
        <source>batch_syn must not be negative (0 means all images)</source>
        <translation>batch_syn darf nicht negativ sein (0 heißt alle Bilder)</translation>
    </message>
    <message>
        <location filename="../core/common/engine_messages.h" line="27"/>
        <source>threshold must be positive (inf turns it off)</source>
        <translation>threshold muss positiv sein (inf schaltet ihn ab)</translation>
    </message>
    <message>
        <location filename="../core/common/engine_messages.h" line="28"/>
        <source>lr_max must be positive (auto: {1} x lr_teacher; inf: off)</source>
        <translation>lr_max muss positiv sein (auto: {1} × lr_teacher; inf: aus)</translation>
    </message>
    <message>
        <location filename="../core/common/engine_messages.h" line="29"/>
        <source>lr_max must not be below lr_teacher</source>
        <translation>lr_max darf nicht unter lr_teacher liegen</translation>
    </message>
    <message>
        <location filename="../core/common/engine_messages.h" line="30"/>
        <source>lr_max must be above lr_floor</source>
        <translation>lr_max muss über lr_floor liegen</translation>
    </message>
    <message>
        <location filename="../core/common/engine_messages.h" line="32"/>
        <source>lr_floor must be positive or off: a student lr of 0 or below learns nothing, and evaluation refuses it</source>
        <translation>lr_floor muss positiv oder off sein: Bei einer Schüler-Lernrate von 0 oder darunter lernt das Netz nichts, und die Evaluation lehnt sie ab</translation>
    </message>
    <message>
        <location filename="../core/common/engine_messages.h" line="35"/>
        <source>{1} cannot change during a run (it shapes the synthetic set); start a new run</source>
        <translation>{1} kann sich während eines Laufs nicht ändern (es bestimmt die synthetische Menge); starten Sie einen neuen Lauf</translation>
    </message>
    <message>
        <location filename="../core/common/engine_messages.h" line="36"/>
        <source>max_start_epoch + expert_epochs would be {1}; the experts have {2} epochs</source>
        <translation>max_start_epoch + expert_epochs wäre {1}; die Experten haben {2} Epochen</translation>
    </message>
</context>
<context>
    <name>distillery::ui::CrossEvaluationDialog</name>
    <message>
        <location filename="../app/workbench/cross_evaluation_dialog.cpp" line="23"/>
        <source>ConvNet (the run&apos;s width and depth)</source>
        <translation>ConvNet (Breite und Tiefe des Laufs)</translation>
    </message>
    <message>
        <location filename="../app/workbench/cross_evaluation_dialog.cpp" line="24"/>
        <source>ConvNet with batch norm</source>
        <translation>ConvNet mit Batch-Norm</translation>
    </message>
    <message>
        <location filename="../app/workbench/cross_evaluation_dialog.cpp" line="25"/>
        <source>MLP (2 × 128)</source>
        <translation>MLP (2 × 128)</translation>
    </message>
    <message>
        <location filename="../app/workbench/cross_evaluation_dialog.cpp" line="26"/>
        <source>AlexNet</source>
        <translation>AlexNet</translation>
    </message>
    <message>
        <location filename="../app/workbench/cross_evaluation_dialog.cpp" line="27"/>
        <source>VGG-11 (instance norm)</source>
        <translation>VGG-11 (Instance-Norm)</translation>
    </message>
    <message>
        <location filename="../app/workbench/cross_evaluation_dialog.cpp" line="28"/>
        <source>VGG-11 with batch norm</source>
        <translation>VGG-11 mit Batch-Norm</translation>
    </message>
    <message>
        <location filename="../app/workbench/cross_evaluation_dialog.cpp" line="29"/>
        <source>ResNet-18 (instance norm)</source>
        <translation>ResNet-18 (Instance-Norm)</translation>
    </message>
    <message>
        <location filename="../app/workbench/cross_evaluation_dialog.cpp" line="30"/>
        <source>ResNet-18 with batch norm</source>
        <translation>ResNet-18 mit Batch-Norm</translation>
    </message>
    <message>
        <location filename="../app/workbench/cross_evaluation_dialog.cpp" line="37"/>
        <source>Evaluate on other networks</source>
        <translation>Auf anderen Netzen evaluieren</translation>
    </message>
    <message>
        <location filename="../app/workbench/cross_evaluation_dialog.cpp" line="40"/>
        <source>Train fresh networks of each kind on the current synthetic set with the evaluation protocol (its learned lr, DSA) and test them. Networks much larger than the ConvNet take long on a CPU.</source>
        <translation>Frische Netze jeder Art mit dem Evaluationsprotokoll (gelernte lr, DSA) auf dem aktuellen synthetischen Satz trainieren und testen. Netze, die viel größer als das ConvNet sind, brauchen auf einer CPU lange.</translation>
    </message>
    <message>
        <location filename="../app/workbench/cross_evaluation_dialog.cpp" line="45"/>
        <source>Networks</source>
        <translation>Netze</translation>
    </message>
    <message>
        <location filename="../app/workbench/cross_evaluation_dialog.cpp" line="57"/>
        <source>Also a random real subset of the same size, with hard labels and with the run&apos;s kind of soft labels (what soft labels alone give)</source>
        <translation>Auch eine zufällige echte Teilmenge gleicher Größe, mit harten Labels und mit weichen Labels der Art des Laufs (was weiche Labels allein bringen)</translation>
    </message>
    <message>
        <location filename="../app/workbench/cross_evaluation_dialog.cpp" line="64"/>
        <source>synthetic set</source>
        <translation>synthetischer Satz</translation>
    </message>
    <message>
        <location filename="../app/workbench/cross_evaluation_dialog.cpp" line="72"/>
        <source>&amp;Evaluate</source>
        <translation>&amp;Evaluieren</translation>
    </message>
    <message>
        <location filename="../app/workbench/cross_evaluation_dialog.cpp" line="79"/>
        <source>Evaluating on %1…</source>
        <translation>Evaluiere auf %1…</translation>
    </message>
    <message>
        <location filename="../app/workbench/cross_evaluation_dialog.cpp" line="105"/>
        <source>Start or open a run first: there is no synthetic set yet.</source>
        <translation>Zuerst einen Lauf starten oder öffnen: Es gibt noch keinen synthetischen Satz.</translation>
    </message>
    <message>
        <location filename="../app/workbench/cross_evaluation_dialog.cpp" line="134"/>
        <source>(%1 of %2 diverged)</source>
        <translation>(%1 von %2 divergiert)</translation>
    </message>
    <message>
        <location filename="../app/workbench/cross_evaluation_dialog.cpp" line="137"/>
        <source>The training of %1 of these %2 networks diverged at the lr they trained with: their parameters became NaN or infinite, so they stopped there and test at chance. Networks without normalisation (alexnet) need a smaller lr than the ConvNet the set was distilled with.</source>
        <translation>Das Training von %1 dieser %2 Netze ist bei seiner Lernrate divergiert: Ihre Parameter wurden NaN oder unendlich, daher endete es dort, und sie testen auf Zufallsniveau. Netze ohne Normalisierung (alexnet) brauchen eine kleinere Lernrate als das ConvNet, mit dem der Satz destilliert wurde.</translation>
    </message>
    <message>
        <location filename="../app/workbench/cross_evaluation_dialog.cpp" line="145"/>
        <source>%1 on %2: %3 (iteration %4)</source>
        <translation>%1 auf %2: %3 (Iteration %4)</translation>
    </message>
    <message>
        <location filename="../app/workbench/cross_evaluation_dialog.cpp" line="150"/>
        <source>Done.</source>
        <translation>Fertig.</translation>
    </message>
    <message>
        <location filename="../app/workbench/cross_evaluation_dialog.cpp" line="150"/>
        <source>Stopped; the results so far stay in the table.</source>
        <translation>Angehalten; die bisherigen Ergebnisse bleiben in der Tabelle.</translation>
    </message>
</context>
<context>
    <name>distillery::ui::HyperparameterPanel</name>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="20"/>
        <source>Gradient mode</source>
        <translation>Gradientenmodus</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="21"/>
        <source>unrolled: MTT&apos;s back-propagation through every student step (memory grows with N)
tesla: TESLA&apos;s constant-memory first-order gradient
exact: the same gradient as unrolled with constant activation memory</source>
        <translation>unrolled: Backpropagation von MTT durch jeden Schüler-Schritt (der Speicherbedarf wächst mit N)
tesla: Gradient erster Ordnung von TESLA mit konstantem Speicherbedarf
exact: derselbe Gradient wie bei unrolled, mit konstantem Aktivierungsspeicher</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="24"/>
        <source>lr of images</source>
        <translation>lr der Bilder</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="24"/>
        <source>Step size of the synthetic images&apos; SGD (MTT: lr_img)</source>
        <translation>Schrittweite des SGD der synthetischen Bilder (MTT: lr_img)</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="25"/>
        <source>lr of lr</source>
        <translation>lr der lr</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="25"/>
        <source>Step size of the learned student learning rate (lr_lr)</source>
        <translation>Schrittweite der gelernten Lernrate des Schülers (lr_lr)</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="26"/>
        <source>lr of labels</source>
        <translation>lr der Labels</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="26"/>
        <source>Step size of DATM&apos;s learned label logits (lr_y)</source>
        <translation>Schrittweite der gelernten Label-Logits von DATM (lr_y)</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="27"/>
        <source>Matching steps N</source>
        <translation>Matching-Schritte N</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="27"/>
        <source>Student steps on synthetic data per iteration (syn_steps)</source>
        <translation>Schüler-Schritte auf synthetischen Daten pro Iteration (syn_steps)</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="28"/>
        <source>Expert epochs M</source>
        <translation>Experten-Epochen M</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="28"/>
        <source>The target is the expert M epochs after the start (expert_epochs)</source>
        <translation>Das Ziel ist der Experte M Epochen nach dem Start (expert_epochs)</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="29"/>
        <source>Start epoch from</source>
        <translation>Startepoche ab</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="29"/>
        <source>Lowest start epoch drawn (min_start_epoch)</source>
        <translation>Niedrigste gezogene Startepoche (min_start_epoch)</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="30"/>
        <source>Start epoch below</source>
        <translation>Startepoche unter</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="30"/>
        <source>Start epochs are drawn below this (max_start_epoch)</source>
        <translation>Startepochen werden unterhalb dieses Werts gezogen (max_start_epoch)</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="31"/>
        <source>Window starts at</source>
        <translation>Fenster beginnt bei</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="32"/>
        <source>DATM: the upper bound of the start-epoch window at iteration 0 (current_max_start_epoch)</source>
        <translation>DATM: die obere Grenze des Startepochen-Fensters bei Iteration 0 (current_max_start_epoch)</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="33"/>
        <source>Window full at iteration</source>
        <translation>Fenster voll ab Iteration</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="34"/>
        <source>DATM: the iteration by which the window has grown to max_start_epoch (expansion_end_epoch)</source>
        <translation>DATM: die Iteration, bis zu der das Fenster auf max_start_epoch angewachsen ist (expansion_end_epoch)</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="35"/>
        <source>Synthetic batch</source>
        <translation>Synthetischer Batch</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="35"/>
        <source>Synthetic images per student step; 0 = all (batch_syn)</source>
        <translation>Synthetische Bilder pro Schüler-Schritt; 0 = alle (batch_syn)</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="36"/>
        <source>Loss threshold</source>
        <translation>Verlust-Schwelle</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="36"/>
        <source>DATM: updates are skipped when the loss is above this (threshold)</source>
        <translation>DATM: Aktualisierungen werden übersprungen, wenn der Verlust über diesem Wert liegt (threshold)</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="37"/>
        <source>lr floor</source>
        <translation>lr-Untergrenze</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="37"/>
        <source>The learned lr is kept at or above this; -inf = no floor (lr_floor)</source>
        <translation>Die gelernte lr wird auf oder über diesem Wert gehalten; -inf = keine Untergrenze (lr_floor)</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="38"/>
        <source>Iterations</source>
        <translation>Iterationen</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="38"/>
        <source>Length of the run (Iteration)</source>
        <translation>Länge des Laufs (Iteration)</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="39"/>
        <source>Evaluate every</source>
        <translation>Auswerten alle</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="39"/>
        <source>Evaluate the synthetic set every this many iterations; 0 = at the end (eval_it)</source>
        <translation>Die synthetische Menge alle so vielen Iterationen auswerten; 0 = am Ende (eval_it)</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="49"/>
        <source>Apply</source>
        <translation>Übernehmen</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="50"/>
        <source>Validate the changed fields and apply them at the next step (Enter in a field does the same)</source>
        <translation>Die geänderten Felder prüfen und beim nächsten Schritt übernehmen (Enter in einem Feld bewirkt dasselbe)</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="51"/>
        <source>Revert</source>
        <translation>Zurücksetzen</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="52"/>
        <source>Show the values in effect again</source>
        <translation>Wieder die wirksamen Werte anzeigen</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="172"/>
        <source>&lt;span style=&apos;color:#1a7f37&apos;&gt;%1 = %2: applied at the next step&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:#1a7f37&apos;&gt;%1 = %2: wird beim nächsten Schritt übernommen&lt;/span&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="174"/>
        <source>&lt;span style=&apos;color:#c62828&apos;&gt;%1 refused: %2&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:#c62828&apos;&gt;%1 abgelehnt: %2&lt;/span&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/hyperparameter_panel.cpp" line="175"/>
        <source>Nothing changed</source>
        <translation>Nichts geändert</translation>
    </message>
</context>
<context>
    <name>distillery::ui::ImageDetailDialog</name>
    <message>
        <location filename="../widgets/image_detail_dialog.cpp" line="39"/>
        <source>0 for a one-hot label, ln K for a label spread evenly over all K classes</source>
        <translation>0 für ein One-Hot-Label, ln K für ein gleichmäßig über alle K Klassen verteiltes Label</translation>
    </message>
    <message>
        <location filename="../widgets/image_detail_dialog.cpp" line="42"/>
        <source>Trained with:</source>
        <translation>Trainiert mit:</translation>
    </message>
    <message>
        <location filename="../widgets/image_detail_dialog.cpp" line="43"/>
        <source>Top label:</source>
        <translation>Höchstes Label:</translation>
    </message>
    <message>
        <location filename="../widgets/image_detail_dialog.cpp" line="44"/>
        <source>Entropy:</source>
        <translation>Entropie:</translation>
    </message>
    <message>
        <location filename="../widgets/image_detail_dialog.cpp" line="45"/>
        <source>Iteration:</source>
        <translation>Iteration:</translation>
    </message>
    <message>
        <location filename="../widgets/image_detail_dialog.cpp" line="59"/>
        <source>Previous</source>
        <translation>Vorheriges</translation>
    </message>
    <message>
        <location filename="../widgets/image_detail_dialog.cpp" line="61"/>
        <source>The image before this one (Left arrow)</source>
        <translation>Das Bild vor diesem (Pfeil nach links)</translation>
    </message>
    <message>
        <location filename="../widgets/image_detail_dialog.cpp" line="62"/>
        <source>Next</source>
        <translation>Nächstes</translation>
    </message>
    <message>
        <location filename="../widgets/image_detail_dialog.cpp" line="64"/>
        <source>The image after this one (Right arrow)</source>
        <translation>Das Bild nach diesem (Pfeil nach rechts)</translation>
    </message>
    <message>
        <location filename="../widgets/image_detail_dialog.cpp" line="113"/>
        <source>Image %1 · class %2 (%3)</source>
        <translation>Bild %1 · Klasse %2 (%3)</translation>
    </message>
    <message>
        <location filename="../widgets/image_detail_dialog.cpp" line="119"/>
        <source>%1 × %2 pixels, shown %3 times as large</source>
        <translation>%1 × %2 Pixel, %3-fach vergrößert dargestellt</translation>
    </message>
    <message>
        <location filename="../widgets/image_detail_dialog.cpp" line="124"/>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
    <message>
        <location filename="../widgets/image_detail_dialog.cpp" line="125"/>
        <source>%1 nats (uniform: %2)</source>
        <translation>%1 nats (gleichverteilt: %2)</translation>
    </message>
</context>
<context>
    <name>distillery::ui::ImageGridView</name>
    <message>
        <location filename="../widgets/image_grid_view.cpp" line="156"/>
        <source>%1× · Ctrl+wheel to zoom · click an image for its label</source>
        <translation>%1× · Strg+Mausrad zum Zoomen · Bild anklicken für sein Label</translation>
    </message>
    <message>
        <location filename="../widgets/image_grid_view.cpp" line="228"/>
        <source>No synthetic images yet — start a run</source>
        <translation>Noch keine synthetischen Bilder – starten Sie einen Lauf</translation>
    </message>
    <message>
        <location filename="../widgets/image_grid_view.cpp" line="265"/>
        <source>&lt;b&gt;Image %1&lt;/b&gt;&lt;br&gt;Class: %2&lt;br&gt;Top label: %3, %4</source>
        <translation>&lt;b&gt;Bild %1&lt;/b&gt;&lt;br&gt;Klasse: %2&lt;br&gt;Höchstes Label: %3, %4</translation>
    </message>
</context>
<context>
    <name>distillery::ui::LabelDistributionPlot</name>
    <message>
        <location filename="../widgets/image_conversion.cpp" line="168"/>
        <source>Probability</source>
        <translation>Wahrscheinlichkeit</translation>
    </message>
    <message>
        <location filename="../widgets/image_conversion.cpp" line="171"/>
        <source>the image&apos;s class</source>
        <translation>die Klasse des Bildes</translation>
    </message>
    <message>
        <location filename="../widgets/image_conversion.cpp" line="174"/>
        <source>other classes</source>
        <translation>andere Klassen</translation>
    </message>
</context>
<context>
    <name>distillery::ui::LossPlotView</name>
    <message>
        <location filename="../widgets/loss_plot_view.cpp" line="22"/>
        <source>Iteration</source>
        <translation>Iteration</translation>
    </message>
    <message>
        <location filename="../widgets/loss_plot_view.cpp" line="22"/>
        <source>Matching loss</source>
        <translation>Matching-Verlust</translation>
    </message>
    <message>
        <location filename="../widgets/loss_plot_view.cpp" line="24"/>
        <source>Test accuracy (%)</source>
        <translation>Testgenauigkeit (%)</translation>
    </message>
    <message>
        <location filename="../widgets/loss_plot_view.cpp" line="27"/>
        <source>loss</source>
        <translation>Verlust</translation>
    </message>
    <message>
        <location filename="../widgets/loss_plot_view.cpp" line="31"/>
        <source>loss, smoothed</source>
        <translation>Verlust, geglättet</translation>
    </message>
    <message>
        <location filename="../widgets/loss_plot_view.cpp" line="35"/>
        <source>update skipped</source>
        <translation>Aktualisierung übersprungen</translation>
    </message>
    <message>
        <location filename="../widgets/loss_plot_view.cpp" line="58"/>
        <source>test accuracy</source>
        <translation>Testgenauigkeit</translation>
    </message>
    <message>
        <location filename="../widgets/loss_plot_view.cpp" line="58"/>
        <source>test accuracy (%1)</source>
        <translation>Testgenauigkeit (%1)</translation>
    </message>
</context>
<context>
    <name>distillery::ui::LrPlotView</name>
    <message>
        <location filename="../widgets/lr_plot_view.cpp" line="5"/>
        <source>Iteration</source>
        <translation>Iteration</translation>
    </message>
    <message>
        <location filename="../widgets/lr_plot_view.cpp" line="5"/>
        <source>Learned student learning rate</source>
        <translation>Gelernte Lernrate des Schülers</translation>
    </message>
</context>
<context>
    <name>distillery::ui::MainWindow</name>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="93"/>
        <location filename="../app/workbench/main_window.cpp" line="543"/>
        <source>Distillery — dataset distillation workbench</source>
        <translation>Distillery — Werkbank für Datensatz-Destillation</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="133"/>
        <source>Matching loss</source>
        <translation>Matching-Verlust</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="137"/>
        <source>Soft labels</source>
        <translation>Weiche Labels</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="138"/>
        <source>Hyperparameters</source>
        <translation>Hyperparameter</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="139"/>
        <source>Log</source>
        <translation>Protokoll</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="156"/>
        <source>%1 set to %2 from the next step</source>
        <translation>%1 ab dem nächsten Schritt auf %2 gesetzt</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="158"/>
        <source>%1 refused: %2</source>
        <translation>%1 abgelehnt: %2</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="167"/>
        <source>Memory sweep: %1 at N = %2</source>
        <translation>Speicher-Messreihe: %1 bei N = %2</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="183"/>
        <source>The settings a run starts from (resources/presets); the choices below override them</source>
        <translation>Die Einstellungen, mit denen ein Lauf beginnt (resources/presets); die Auswahl darunter überschreibt sie</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="184"/>
        <source>Preset</source>
        <translation>Voreinstellung</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="188"/>
        <source>Fashion-MNIST (built in)</source>
        <translation>Fashion-MNIST (eingebaut)</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="189"/>
        <source>CIFAR-10 binary folder…</source>
        <translation>CIFAR-10-Binärordner…</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="190"/>
        <source>CIFAR-100 binary folder…</source>
        <translation>CIFAR-100-Binärordner…</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="191"/>
        <source>Image folder (a folder per class)…</source>
        <translation>Bildordner (ein Ordner pro Klasse)…</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="192"/>
        <source>As the preset says</source>
        <translation>Wie in der Voreinstellung</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="193"/>
        <source>Data set</source>
        <translation>Datensatz</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="195"/>
        <source>fashion-mnist, cifar10:DIR, cifar100:DIR, folder:DIR[:HxWxC] or an IDX folder</source>
        <translation>fashion-mnist, cifar10:DIR, cifar100:DIR, folder:DIR[:HxWxC] oder ein IDX-Ordner</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="200"/>
        <source>MTT (Cazenavette et al.)</source>
        <translation>MTT (Cazenavette et al.)</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="201"/>
        <source>TESLA (soft labels from the teacher)</source>
        <translation>TESLA (weiche Labels vom Lehrer)</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="202"/>
        <source>DATM (learned labels, growing window)</source>
        <translation>DATM (gelernte Labels, wachsendes Fenster)</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="203"/>
        <source>Method</source>
        <translation>Methode</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="208"/>
        <source>unrolled: MTT&apos;s full back-propagation; tesla: TESLA&apos;s first-order constant-memory gradient; exact: the unrolled gradient with constant activation memory</source>
        <translation>unrolled: vollständige Backpropagation von MTT; tesla: Gradient erster Ordnung von TESLA mit konstantem Speicherbedarf; exact: der Gradient von unrolled mit konstantem Aktivierungsspeicher</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="210"/>
        <source>Gradient</source>
        <translation>Gradient</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="215"/>
        <source>Synthetic images per class</source>
        <translation>Synthetische Bilder pro Klasse</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="216"/>
        <source>Images per class</source>
        <translation>Bilder pro Klasse</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="218"/>
        <source>No data loaded yet</source>
        <translation>Noch keine Daten geladen</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="223"/>
        <source>Data</source>
        <translation>Daten</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="225"/>
        <source>Expert trajectories</source>
        <translation>Experten-Trajektorien</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="227"/>
        <source>Not checked yet</source>
        <translation>Noch nicht geprüft</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="83"/>
        <source>time left unknown</source>
        <translation>Restzeit unbekannt</translation>
    </message>
    <message numerus="yes">
        <location filename="../app/workbench/main_window.cpp" line="85"/>
        <source>%n s left</source>
        <translation>
            <numerusform>noch %n s</numerusform>
            <numerusform>noch %n s</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../app/workbench/main_window.cpp" line="87"/>
        <source>%n min left</source>
        <translation>
            <numerusform>noch %n min</numerusform>
            <numerusform>noch %n min</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="88"/>
        <source>%1 h %2 min left</source>
        <translation>noch %1 h %2 min</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="135"/>
        <source>Learned lr</source>
        <translation>Gelernte lr</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="136"/>
        <source>Memory against N</source>
        <translation>Speicher über N</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="231"/>
        <source>default: the experts folder beside the runs</source>
        <translation>Standard: der Expertenordner neben den Läufen</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="232"/>
        <source>A folder of expert_NNNN.dtraj files; missing experts are trained into it</source>
        <translation>Ein Ordner mit expert_NNNN.dtraj-Dateien; fehlende Experten werden dort hinein trainiert</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="234"/>
        <source>Choose folder…</source>
        <translation>Ordner wählen…</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="235"/>
        <source>Train missing experts</source>
        <translation>Fehlende Experten trainieren</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="266"/>
        <location filename="../app/workbench/main_window.cpp" line="817"/>
        <source>Setup</source>
        <translation>Einrichtung</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="303"/>
        <source>Expert trajectories folder</source>
        <translation>Ordner der Experten-Trajektorien</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="321"/>
        <source>Image folder (one subfolder per class)</source>
        <translation>Bildordner (ein Unterordner pro Klasse)</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="321"/>
        <source>Folder with the CIFAR binary files</source>
        <translation>Ordner mit den CIFAR-Binärdateien</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="337"/>
        <source>&amp;Start</source>
        <translation>&amp;Starten</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="337"/>
        <source>Start a new run (experts are trained first if missing)</source>
        <translation>Einen neuen Lauf starten (fehlende Experten werden zuerst trainiert)</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="338"/>
        <source>&amp;Pause</source>
        <translation>&amp;Pause</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="338"/>
        <source>Pause after the current step</source>
        <translation>Nach dem aktuellen Schritt pausieren</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="339"/>
        <source>Res&amp;ume</source>
        <translation>&amp;Weiter</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="339"/>
        <source>Continue the paused run</source>
        <translation>Den pausierten Lauf fortsetzen</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="340"/>
        <source>Step &amp;once</source>
        <translation>&amp;Einzelschritt</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="340"/>
        <source>Perform one iteration, then pause</source>
        <translation>Eine Iteration ausführen, dann pausieren</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="341"/>
        <source>S&amp;top</source>
        <translation>S&amp;toppen</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="341"/>
        <source>End the run; its images stay for export</source>
        <translation>Den Lauf beenden; seine Bilder bleiben zum Exportieren erhalten</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="342"/>
        <source>&amp;Evaluate now</source>
        <translation>Jetzt &amp;auswerten</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="342"/>
        <source>Train fresh networks on the synthetic set and test them</source>
        <translation>Neue Netze auf der synthetischen Menge trainieren und testen</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="343"/>
        <source>Evaluate on other &amp;networks…</source>
        <translation>Auf anderen &amp;Netzen evaluieren…</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="344"/>
        <source>Train ResNet-18, VGG-11, AlexNet, an MLP… on the synthetic set, beside the random real baselines</source>
        <translation>ResNet-18, VGG-11, AlexNet, ein MLP… auf dem synthetischen Satz trainieren, neben den zufälligen echten Vergleichswerten</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="345"/>
        <source>&amp;Train missing experts</source>
        <translation>&amp;Fehlende Experten trainieren</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="345"/>
        <source>Generate the expert trajectories the setup needs</source>
        <translation>Die Experten-Trajektorien erzeugen, die die Einrichtung benötigt</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="346"/>
        <source>Export image &amp;grid…</source>
        <translation>Bild&amp;raster exportieren…</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="346"/>
        <source>Save the grid as one PNG</source>
        <translation>Das Raster als eine PNG-Datei speichern</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="347"/>
        <source>Export images to &amp;class folders…</source>
        <translation>Bilder in &amp;Klassenordner exportieren…</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="348"/>
        <source>Save every synthetic image as a PNG in a folder per class</source>
        <translation>Jedes synthetische Bild als PNG in einem Ordner pro Klasse speichern</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="349"/>
        <source>&amp;Open preset file…</source>
        <translation>&amp;Voreinstellungsdatei öffnen…</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="349"/>
        <source>Start from a preset file of your own</source>
        <translation>Von einer eigenen Voreinstellungsdatei ausgehen</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="350"/>
        <source>Open saved &amp;run…</source>
        <translation>Gespeicherten &amp;Lauf öffnen…</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="351"/>
        <source>Continue a run from its checkpoint (.dckpt)</source>
        <translation>Einen Lauf ab seinem Checkpoint fortsetzen (.dckpt)</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="352"/>
        <source>Com&amp;pare runs…</source>
        <translation>Läufe ver&amp;gleichen…</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="353"/>
        <source>Overlay the curves of saved runs and show their images side by side</source>
        <translation>Die Kurven gespeicherter Läufe übereinanderlegen und ihre Bilder nebeneinander zeigen</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="354"/>
        <source>Fo&amp;llow a run folder…</source>
        <translation>Lauf&amp;ordner verfolgen…</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="355"/>
        <source>Show a run that runs elsewhere (distillery-cli, a cluster job) live from its folder, read-only</source>
        <translation>Einen Lauf, der anderswo läuft (distillery-cli, ein Cluster-Job), live aus seinem Ordner zeigen, nur lesend</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="356"/>
        <source>Stop follo&amp;wing</source>
        <translation>Ver&amp;folgen beenden</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="356"/>
        <source>Stop showing the followed run&apos;s folder</source>
        <translation>Den Ordner des verfolgten Laufs nicht mehr zeigen</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="358"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="358"/>
        <location filename="../app/workbench/main_window.cpp" line="1009"/>
        <source>Quit Distillery</source>
        <translation>Distillery beenden</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="359"/>
        <source>Zoom &amp;in</source>
        <translation>&amp;Vergrößern</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="359"/>
        <source>Larger synthetic images</source>
        <translation>Größere synthetische Bilder</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="360"/>
        <source>Zoom &amp;out</source>
        <translation>Ver&amp;kleinern</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="360"/>
        <source>Smaller synthetic images</source>
        <translation>Kleinere synthetische Bilder</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="361"/>
        <source>&amp;Reset layout</source>
        <translation>Layout &amp;zurücksetzen</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="361"/>
        <source>Put every view back where it started</source>
        <translation>Jede Ansicht an ihren ursprünglichen Platz zurücksetzen</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="362"/>
        <source>&amp;About Distillery</source>
        <translation>Über &amp;Distillery</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="410"/>
        <source>Preset file</source>
        <translation>Voreinstellungsdatei</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="410"/>
        <source>Presets (*.preset);;All files (*)</source>
        <translation>Voreinstellungen (*.preset);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="416"/>
        <source>Saved run</source>
        <translation>Gespeicherter Lauf</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="417"/>
        <source>Distillery checkpoints (*.dckpt);;All files (*)</source>
        <translation>Distillery-Checkpoints (*.dckpt);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="425"/>
        <location filename="../app/workbench/main_window.cpp" line="510"/>
        <location filename="../app/workbench/main_window.cpp" line="516"/>
        <source>Follow a run folder</source>
        <translation>Laufordner verfolgen</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="445"/>
        <source>About Distillery</source>
        <translation>Über Distillery</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="446"/>
        <source>&lt;b&gt;Distillery&lt;/b&gt; %1&lt;br&gt;Dataset distillation by trajectory matching: MTT, TESLA, DATM and an exact constant-memory gradient, live.</source>
        <translation>&lt;b&gt;Distillery&lt;/b&gt; %1&lt;br&gt;Datensatz-Destillation durch Trajektorien-Matching: MTT, TESLA, DATM und ein exakter Gradient mit konstantem Speicherbedarf, live.</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="451"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="462"/>
        <source>&amp;Run</source>
        <translation>&amp;Lauf</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="468"/>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="475"/>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="477"/>
        <source>Run</source>
        <translation>Lauf</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="497"/>
        <source>Stop the current run before opening another one.</source>
        <translation>Stoppen Sie den aktuellen Lauf, bevor Sie einen anderen öffnen.</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="508"/>
        <source>Stop the current run or job before following another run.</source>
        <translation>Beenden Sie den laufenden Lauf oder Auftrag, bevor Sie einen anderen Lauf verfolgen.</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="514"/>
        <source>%1 is not a folder. Choose the folder a run writes (distillery-cli&apos;s --out).</source>
        <translation>%1 ist kein Ordner. Wählen Sie den Ordner, den ein Lauf schreibt (--out von distillery-cli).</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="532"/>
        <source>Distillery — following %1 (read-only)</source>
        <translation>Distillery — verfolgt %1 (nur lesend)</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="533"/>
        <source>Following %1, read-only: its new iterations show as the run writes them. File → Stop following ends it.</source>
        <translation>%1 wird verfolgt, nur lesend: neue Iterationen erscheinen, sobald der Lauf sie schreibt. Datei → Verfolgen beenden beendet es.</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="546"/>
        <source>Stopped following %1</source>
        <translation>%1 wird nicht mehr verfolgt</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="552"/>
        <source>Following (read-only): waiting for the run&apos;s first checkpoint</source>
        <translation>Verfolgt (nur lesend): wartet auf den ersten Checkpoint des Laufs</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="553"/>
        <source>Following (read-only): running</source>
        <translation>Verfolgt (nur lesend): läuft</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="554"/>
        <source>Following (read-only): the run has finished</source>
        <translation>Verfolgt (nur lesend): der Lauf ist fertig</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="555"/>
        <source>Following (read-only): a guard stopped the run at iteration %1</source>
        <translation>Verfolgt (nur lesend): ein Wächter hat den Lauf bei Iteration %1 angehalten</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="557"/>
        <source>Following (read-only): nothing new for %1 min; the run may have stopped</source>
        <translation>Verfolgt (nur lesend): seit %1 min nichts Neues; der Lauf ist vielleicht beendet</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="568"/>
        <source>A new run started in %1: showing it from its start</source>
        <translation>In %1 hat ein neuer Lauf begonnen: er wird von Anfang an gezeigt</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="577"/>
        <source>Evaluation after %1 iterations: %2 % ± %3 test accuracy</source>
        <translation>Evaluation nach %1 Iterationen: %2 % ± %3 Testgenauigkeit</translation>
    </message>
    <message numerus="yes">
        <location filename="../app/workbench/main_window.cpp" line="583"/>
        <source>%1 (the latest of %n evaluations read)</source>
        <translation>
            <numerusform>%1 (die neueste von %n gelesenen Evaluation)</numerusform>
            <numerusform>%1 (die neueste von %n gelesenen Evaluationen)</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="587"/>
        <source>Following: %1</source>
        <translation>Verfolgen: %1</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="604"/>
        <source>The followed run has finished: %1 iterations</source>
        <translation>Der verfolgte Lauf ist fertig: %1 Iterationen</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="607"/>
        <source>The followed run was stopped at iteration %1: %2</source>
        <translation>Der verfolgte Lauf wurde bei Iteration %1 angehalten: %2</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="610"/>
        <source>The followed run wrote nothing new for %1 min: it may have stopped (File → Stop following ends following)</source>
        <translation>Der verfolgte Lauf hat seit %1 min nichts Neues geschrieben: er ist vielleicht beendet (Datei → Verfolgen beenden beendet das Verfolgen)</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="614"/>
        <source>The followed run is running, at iteration %1</source>
        <translation>Der verfolgte Lauf läuft, bei Iteration %1</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="638"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="638"/>
        <source>GPU (%1)</source>
        <translation>GPU (%1)</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="640"/>
        <source>%1 of %2 experts ready in %3</source>
        <translation>%1 von %2 Experten bereit in %3</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="641"/>
        <source>%1 of %2 experts in %3: Start trains the missing ones</source>
        <translation>%1 von %2 Experten in %3: Starten trainiert die fehlenden</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="648"/>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="771"/>
        <source> · %1 it/s · %2</source>
        <translation> · %1 it/s · %2</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="850"/>
        <source>Saved run: %1</source>
        <translation>Gespeicherter Lauf: %1</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="1009"/>
        <source>A run is in progress. Quit anyway? Its last checkpoint (at most 10 iterations back) stays in its folder, and File → Open saved run… continues it.</source>
        <translation>Ein Lauf ist im Gange. Trotzdem beenden? Sein letzter Checkpoint (höchstens 10 Iterationen zurück) bleibt in seinem Ordner, und Datei → Gespeicherten Lauf öffnen… setzt ihn fort.</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="593"/>
        <source>Last written %1</source>
        <translation>Zuletzt geschrieben %1</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="672"/>
        <source>Saved at %1</source>
        <translation>Gespeichert bei Iteration %1</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="735"/>
        <source>Stepped to iteration %1</source>
        <translation>Einzelschritt bis Iteration %1</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="736"/>
        <source>Paused at iteration %1</source>
        <translation>Pausiert bei Iteration %1</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="737"/>
        <source>Resumed at iteration %1</source>
        <translation>Fortgesetzt bei Iteration %1</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="738"/>
        <source>Stopped at iteration %1</source>
        <translation>Gestoppt bei Iteration %1</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="742"/>
        <source>Finished: %1 iterations</source>
        <translation>Fertig: %1 Iterationen</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="753"/>
        <source>Iteration %1: update skipped</source>
        <translation>Iteration %1: Aktualisierung übersprungen</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="766"/>
        <source>Iteration %1 / %2</source>
        <translation>Iteration %1 / %2</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="816"/>
        <source>Setup refused: %1</source>
        <translation>Einrichtung abgelehnt: %1</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="861"/>
        <source>Image grid written to %1</source>
        <translation>Bildraster nach %1 geschrieben</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="861"/>
        <source>Export failed: %1</source>
        <translation>Exportieren fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="868"/>
        <source>%1 images written to class folders in %2</source>
        <translation>%1 Bilder in Klassenordner in %2 geschrieben</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="869"/>
        <source>Export failed after %1 images: %2</source>
        <translation>Exportieren nach %1 Bildern fehlgeschlagen: %2</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="894"/>
        <location filename="../app/workbench/main_window.cpp" line="897"/>
        <location filename="../app/workbench/main_window.cpp" line="902"/>
        <source>Export image grid</source>
        <translation>Bildraster exportieren</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="894"/>
        <location filename="../app/workbench/main_window.cpp" line="907"/>
        <source>Scale (pixels per image pixel):</source>
        <translation>Maßstab (Pixel pro Bildpixel):</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="898"/>
        <source>PNG images (*.png)</source>
        <translation>PNG-Bilder (*.png)</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="907"/>
        <location filename="../app/workbench/main_window.cpp" line="915"/>
        <source>Export images</source>
        <translation>Bilder exportieren</translation>
    </message>
    <message>
        <location filename="../app/workbench/main_window.cpp" line="911"/>
        <source>Folder for the class folders</source>
        <translation>Ordner für die Klassenordner</translation>
    </message>
</context>
<context>
    <name>distillery::ui::MemoryPlotView</name>
    <message>
        <location filename="../widgets/memory_plot_view.cpp" line="43"/>
        <source>Student steps N</source>
        <translation>Schüler-Schritte N</translation>
    </message>
    <message>
        <location filename="../widgets/memory_plot_view.cpp" line="44"/>
        <source>Peak memory (MiB)</source>
        <translation>Spitzenspeicher (MiB)</translation>
    </message>
    <message>
        <location filename="../widgets/memory_plot_view.cpp" line="51"/>
        <source>The numbers of student steps N to measure, comma-separated: at most %1 values, each at most %2</source>
        <translation>Die zu messenden Anzahlen an Schüler-Schritten N, durch Kommas getrennt: höchstens %1 Werte, jeder höchstens %2</translation>
    </message>
    <message>
        <location filename="../widgets/memory_plot_view.cpp" line="55"/>
        <source>Backpropagation through all N unrolled student steps (MTT): memory grows with N</source>
        <translation>Backpropagation durch alle N entrollten Schüler-Schritte (MTT): der Speicherbedarf wächst mit N</translation>
    </message>
    <message>
        <location filename="../widgets/memory_plot_view.cpp" line="56"/>
        <source>TESLA&apos;s gradient, accumulated step by step: constant memory</source>
        <translation>Gradient von TESLA, Schritt für Schritt akkumuliert: konstanter Speicherbedarf</translation>
    </message>
    <message>
        <location filename="../widgets/memory_plot_view.cpp" line="57"/>
        <source>Distillery&apos;s exact gradient in constant memory</source>
        <translation>Exakter Gradient von Distillery mit konstantem Speicherbedarf</translation>
    </message>
    <message>
        <location filename="../widgets/memory_plot_view.cpp" line="68"/>
        <location filename="../widgets/memory_plot_view.cpp" line="168"/>
        <source>Run sweep</source>
        <translation>Messreihe starten</translation>
    </message>
    <message>
        <location filename="../widgets/memory_plot_view.cpp" line="69"/>
        <source>Measure the peak memory of one gradient at each N in each checked mode</source>
        <translation>Den Spitzenspeicher eines Gradienten für jedes N in jedem ausgewählten Modus messen</translation>
    </message>
    <message>
        <location filename="../widgets/memory_plot_view.cpp" line="71"/>
        <location filename="../widgets/memory_plot_view.cpp" line="175"/>
        <source>Sweeping… %1 of %2</source>
        <translation>Messreihe… %1 von %2</translation>
    </message>
    <message>
        <location filename="../widgets/memory_plot_view.cpp" line="77"/>
        <source>&amp;N:</source>
        <translation>&amp;N:</translation>
    </message>
    <message>
        <location filename="../widgets/memory_plot_view.cpp" line="82"/>
        <source>Modes:</source>
        <translation>Modi:</translation>
    </message>
    <message>
        <location filename="../widgets/memory_plot_view.cpp" line="154"/>
        <source>GPU build: the peak of LibTorch&apos;s CUDA caching allocator.</source>
        <translation>GPU-Build: der Spitzenwert des CUDA-Caching-Allokators von LibTorch.</translation>
    </message>
    <message>
        <location filename="../widgets/memory_plot_view.cpp" line="156"/>
        <source>CPU build: this is CPU tensor memory counted by Distillery&apos;s allocator, not GPU memory.</source>
        <translation>CPU-Build: Dies ist CPU-Tensorspeicher, gezählt von Distillerys Allokator, kein GPU-Speicher.</translation>
    </message>
    <message>
        <location filename="../widgets/memory_plot_view.cpp" line="158"/>
        <source>Memory is not measured in this build, so this plot stays empty.</source>
        <translation>In diesem Build wird der Speicher nicht gemessen, daher bleibt dieses Diagramm leer.</translation>
    </message>
    <message>
        <location filename="../widgets/memory_plot_view.cpp" line="168"/>
        <source>Sweeping…</source>
        <translation>Messreihe läuft…</translation>
    </message>
    <message>
        <location filename="../widgets/memory_plot_view.cpp" line="192"/>
        <source>Enter the numbers of student steps N to measure, e.g. 10,20,40,80.</source>
        <translation>Geben Sie die zu messenden Anzahlen an Schüler-Schritten N ein, z. B. 10,20,40,80.</translation>
    </message>
    <message>
        <location filename="../widgets/memory_plot_view.cpp" line="199"/>
        <source>The list of N has an empty entry: remove the extra comma.</source>
        <translation>Die Liste der N enthält einen leeren Eintrag: Entfernen Sie das überzählige Komma.</translation>
    </message>
    <message>
        <location filename="../widgets/memory_plot_view.cpp" line="201"/>
        <source>“%1” is not a positive whole number of steps.</source>
        <translation>„%1“ ist keine positive ganze Anzahl von Schritten.</translation>
    </message>
    <message>
        <location filename="../widgets/memory_plot_view.cpp" line="203"/>
        <source>N = %1 is too large: at most %2 steps.</source>
        <translation>N = %1 ist zu groß: höchstens %2 Schritte.</translation>
    </message>
    <message>
        <location filename="../widgets/memory_plot_view.cpp" line="211"/>
        <source>At most %1 values of N, not %2.</source>
        <translation>Höchstens %1 Werte für N, nicht %2.</translation>
    </message>
    <message>
        <location filename="../widgets/memory_plot_view.cpp" line="216"/>
        <source>Check at least one gradient mode.</source>
        <translation>Wählen Sie mindestens einen Gradientenmodus aus.</translation>
    </message>
    <message>
        <location filename="../widgets/memory_plot_view.cpp" line="229"/>
        <source>%1 (sweep)</source>
        <translation>%1 (Messreihe)</translation>
    </message>
    <message>
        <location filename="../widgets/memory_plot_view.cpp" line="233"/>
        <source>%1 (run)</source>
        <translation>%1 (Lauf)</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/memory_plot_view.cpp" line="282"/>
        <source>%1, N = %2: %3 MiB, the largest of %n measured step(s) of the run</source>
        <translation>
            <numerusform>%1, N = %2: %3 MiB, Höchstwert über %n gemessenen Schritt des Laufs</numerusform>
            <numerusform>%1, N = %2: %3 MiB, Höchstwert über %n gemessene Schritte des Laufs</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../widgets/memory_plot_view.cpp" line="289"/>
        <source>%1, N = %2: %3 MiB in the sweep, %4 s per gradient</source>
        <translation>%1, N = %2: %3 MiB in der Messreihe, %4 s pro Gradient</translation>
    </message>
</context>
<context>
    <name>distillery::ui::RunComparisonWindow</name>
    <message>
        <location filename="../app/workbench/run_comparison_window.cpp" line="62"/>
        <source>Compare runs</source>
        <translation>Läufe vergleichen</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_comparison_window.cpp" line="66"/>
        <source>Add runs…</source>
        <translation>Läufe hinzufügen…</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_comparison_window.cpp" line="69"/>
        <source>Choose one or more run folders (Ctrl+click), written by distillery-cli distill --out or by the workbench; a folder of run folders adds them all</source>
        <translation>Einen oder mehrere Laufordner wählen (Strg+Klick), geschrieben von distillery-cli distill --out oder von der Werkbank; ein Ordner mit Laufordnern fügt alle hinzu</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_comparison_window.cpp" line="84"/>
        <source>Iteration</source>
        <translation>Iteration</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_comparison_window.cpp" line="88"/>
        <source>Matching loss</source>
        <translation>Matching-Verlust</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_comparison_window.cpp" line="89"/>
        <source>Learned student learning rate</source>
        <translation>Gelernte Lernrate des Schülers</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_comparison_window.cpp" line="90"/>
        <source>Test accuracy (%)</source>
        <translation>Testgenauigkeit (%)</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_comparison_window.cpp" line="97"/>
        <source>The run whose synthetic images this side shows</source>
        <translation>Der Lauf, dessen synthetische Bilder diese Seite zeigt</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_comparison_window.cpp" line="164"/>
        <source>Add runs</source>
        <translation>Läufe hinzufügen</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_comparison_window.cpp" line="250"/>
        <source>%1 has no images to show: see the messages above</source>
        <translation>%1 hat keine Bilder zum Zeigen: siehe die Meldungen oben</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_comparison_window.cpp" line="277"/>
        <source>Reading runs…</source>
        <translation>Läufe werden gelesen…</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_comparison_window.cpp" line="278"/>
        <source>No runs yet: add the folders of saved runs to compare them.</source>
        <translation>Noch keine Läufe: Fügen Sie die Ordner gespeicherter Läufe hinzu, um sie zu vergleichen.</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_comparison_window.cpp" line="279"/>
        <source>Runs open: %1</source>
        <translation>Geöffnete Läufe: %1</translation>
    </message>
</context>
<context>
    <name>distillery::ui::RunWorker</name>
    <message>
        <location filename="../app/workbench/run_worker.cpp" line="38"/>
        <source>Idle</source>
        <translation>Leerlauf</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker.cpp" line="39"/>
        <source>Loading data</source>
        <translation>Daten werden geladen</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker.cpp" line="40"/>
        <source>Training experts</source>
        <translation>Experten werden trainiert</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker.cpp" line="41"/>
        <source>Ready</source>
        <translation>Bereit</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker.cpp" line="42"/>
        <source>Running</source>
        <translation>Läuft</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker.cpp" line="43"/>
        <source>Stepping once…</source>
        <translation>Ein Schritt…</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker.cpp" line="44"/>
        <source>Paused</source>
        <translation>Pausiert</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker.cpp" line="45"/>
        <source>Finished</source>
        <translation>Beendet</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker.cpp" line="46"/>
        <source>Busy</source>
        <translation>Beschäftigt</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker.cpp" line="307"/>
        <location filename="../app/workbench/run_worker.cpp" line="308"/>
        <source>Error: %1</source>
        <translation>Fehler: %1</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker_jobs.cpp" line="68"/>
        <source>Loading %1…</source>
        <translation>%1 wird geladen…</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker_jobs.cpp" line="75"/>
        <source>%1: %2 training and %3 test images of %4×%5×%6, %7 classes, %8</source>
        <translation>%1: %2 Trainings- und %3 Testbilder zu %4×%5×%6, %7 Klassen, %8</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker_jobs.cpp" line="103"/>
        <source>Training %1 experts × %2 epochs into %3</source>
        <translation>%1 Experten × %2 Epochen werden in %3 trainiert</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker_jobs.cpp" line="111"/>
        <source>Expert training stopped; %1 complete experts kept</source>
        <translation>Experten-Training gestoppt; %1 vollständige Experten behalten</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker_jobs.cpp" line="114"/>
        <source>Experts ready: %1 in %2</source>
        <translation>Experten bereit: %1 in %2</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker_jobs.cpp" line="148"/>
        <source>Run started: %1 iterations</source>
        <translation>Lauf gestartet: %1 Iterationen</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker_jobs.cpp" line="166"/>
        <source>Iteration %1: %2. The run is paused at its last good state.</source>
        <translation>Iteration %1: %2. Der Lauf ist in seinem letzten guten Zustand pausiert.</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker_jobs.cpp" line="189"/>
        <source>Iteration %1: %2; update skipped</source>
        <translation>Iteration %1: %2; Aktualisierung übersprungen</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker_jobs.cpp" line="251"/>
        <source>Measuring memory against the number of student steps…</source>
        <translation>Speicherbedarf in Abhängigkeit von der Anzahl der Schüler-Schritte wird gemessen…</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker_jobs.cpp" line="299"/>
        <location filename="../app/workbench/run_worker_jobs.cpp" line="359"/>
        <source>Nothing to evaluate yet: start a run first</source>
        <translation>Noch nichts auszuwerten: Starten Sie zuerst einen Lauf</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker_jobs.cpp" line="304"/>
        <source>Evaluating: %1 networks × %2 epochs</source>
        <translation>Auswertung: %1 Netze × %2 Epochen</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker_jobs.cpp" line="322"/>
        <source>Iteration %1: the synthetic set scores %2</source>
        <translation>Iteration %1: Die synthetische Menge erreicht %2</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker_jobs.cpp" line="316"/>
        <source>Evaluation stopped at iteration %1</source>
        <translation>Evaluation bei Iteration %1 gestoppt</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker_jobs.cpp" line="309"/>
        <source>evaluation (%1): %2</source>
        <translation>Evaluation (%1): %2</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker_jobs.cpp" line="314"/>
        <source>synthetic set</source>
        <translation>synthetischer Satz</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker_jobs.cpp" line="340"/>
        <source>; %1: %2 ± %3 %</source>
        <translation>; %1: %2 ± %3 %</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker_jobs.cpp" line="378"/>
        <source>Evaluating on %1: %2</source>
        <translation>Evaluiere auf %1: %2</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker_jobs.cpp" line="382"/>
        <source>%1, %2: %3</source>
        <translation>%1, %2: %3</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker_jobs.cpp" line="402"/>
        <source>Iteration %1: evaluated on %2</source>
        <translation>Iteration %1: evaluiert auf %2</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker_jobs.cpp" line="403"/>
        <source>Evaluation on other networks stopped at iteration %1</source>
        <translation>Evaluation auf anderen Netzen bei Iteration %1 angehalten</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker_jobs.cpp" line="424"/>
        <source>Checkpoint not saved: %1. The run goes on; the last checkpoint is kept.</source>
        <translation>Checkpoint nicht gespeichert: %1. Der Lauf geht weiter; der letzte Checkpoint bleibt erhalten.</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker_jobs.cpp" line="434"/>
        <source>The run folder&apos;s files were not updated: %1. The run goes on.</source>
        <translation>Die Dateien im Laufordner wurden nicht aktualisiert: %1. Der Lauf geht weiter.</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker_jobs.cpp" line="443"/>
        <source>Cannot open %1: %2</source>
        <translation>%1 kann nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker_jobs.cpp" line="461"/>
        <source>Stop the current run before opening another one.</source>
        <translation>Stoppen Sie den aktuellen Lauf, bevor Sie einen anderen öffnen.</translation>
    </message>
    <message>
        <location filename="../app/workbench/run_worker_jobs.cpp" line="489"/>
        <source>Opened %1 at iteration %2 of %3</source>
        <translation>%1 bei Iteration %2 von %3 geöffnet</translation>
    </message>
</context>
<context>
    <name>distillery::ui::SoftLabelView</name>
    <message>
        <location filename="../widgets/soft_label_view.cpp" line="54"/>
        <source>These are hard labels: each image is trained with a one-hot label of its own class, so the map is the identity and every entropy is 0. Soft labels make this view informative: run TESLA (teacher labels) or DATM (learned labels).</source>
        <translation>Dies sind harte Labels: Jedes Bild wird mit einem One-Hot-Label seiner eigenen Klasse trainiert, daher ist die Karte die Identität und jede Entropie ist 0. Aussagekräftig wird diese Ansicht mit weichen Labels: Führen Sie TESLA (Lehrer-Labels) oder DATM (gelernte Labels) aus.</translation>
    </message>
    <message>
        <location filename="../widgets/soft_label_view.cpp" line="63"/>
        <source>Probability given to class</source>
        <translation>Wahrscheinlichkeit für Klasse</translation>
    </message>
    <message>
        <location filename="../widgets/soft_label_view.cpp" line="64"/>
        <source>Images of class</source>
        <translation>Bilder der Klasse</translation>
    </message>
    <message>
        <location filename="../widgets/soft_label_view.cpp" line="71"/>
        <source>Mean probability</source>
        <translation>Mittlere Wahrscheinlichkeit</translation>
    </message>
    <message>
        <location filename="../widgets/soft_label_view.cpp" line="78"/>
        <source>Mean label of each class&apos;s images</source>
        <translation>Mittleres Label der Bilder jeder Klasse</translation>
    </message>
    <message>
        <location filename="../widgets/soft_label_view.cpp" line="83"/>
        <source>Mean entropy (nats)</source>
        <translation>Mittlere Entropie (nats)</translation>
    </message>
    <message>
        <location filename="../widgets/soft_label_view.cpp" line="96"/>
        <source>How spread out each class&apos;s labels are</source>
        <translation>Wie breit die Labels jeder Klasse gestreut sind</translation>
    </message>
    <message>
        <location filename="../widgets/soft_label_view.cpp" line="100"/>
        <source>The image whose label is shown</source>
        <translation>Das Bild, dessen Label angezeigt wird</translation>
    </message>
    <message>
        <location filename="../widgets/soft_label_view.cpp" line="108"/>
        <source>Image</source>
        <translation>Bild</translation>
    </message>
    <message>
        <location filename="../widgets/soft_label_view.cpp" line="141"/>
        <source>No soft labels yet — start a run</source>
        <translation>Noch keine weichen Labels – starten Sie einen Lauf</translation>
    </message>
    <message>
        <location filename="../widgets/soft_label_view.cpp" line="267"/>
        <source>maximum (uniform labels): ln %1 = %2</source>
        <translation>Maximum (gleichverteilte Labels): ln %1 = %2</translation>
    </message>
    <message>
        <location filename="../widgets/soft_label_view.cpp" line="280"/>
        <source>class %1 · entropy %2 nats</source>
        <translation>Klasse %1 · Entropie %2 nats</translation>
    </message>
    <message>
        <location filename="../widgets/soft_label_view.cpp" line="295"/>
        <source>Images of %1 give %2 a mean probability of %3</source>
        <translation>Bilder von %1 geben %2 eine mittlere Wahrscheinlichkeit von %3</translation>
    </message>
</context>
<context>
    <name>distillery::ui::WorkbenchPlot</name>
    <message>
        <location filename="../widgets/plot_style.cpp" line="107"/>
        <source>Drag to move, turn the wheel to zoom, double-click to fit the data; right-click to save the image or export the data</source>
        <translation>Ziehen verschiebt, das Mausrad zoomt, Doppelklick passt an die Daten an; Rechtsklick speichert das Bild oder exportiert die Daten</translation>
    </message>
    <message>
        <location filename="../widgets/plot_style.cpp" line="119"/>
        <source>Cannot save %1: the name must end in .png, .svg or .pdf.</source>
        <translation>%1 kann nicht gespeichert werden: Der Name muss auf .png, .svg oder .pdf enden.</translation>
    </message>
    <message>
        <location filename="../widgets/plot_style.cpp" line="121"/>
        <source>Could not draw the plot for %1.</source>
        <translation>Das Diagramm für %1 konnte nicht gezeichnet werden.</translation>
    </message>
    <message>
        <location filename="../widgets/plot_style.cpp" line="131"/>
        <source>Could not write %1: %2</source>
        <translation>%1 konnte nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <location filename="../widgets/plot_style.cpp" line="144"/>
        <source>Save image…</source>
        <translation>Bild speichern…</translation>
    </message>
    <message>
        <location filename="../widgets/plot_style.cpp" line="145"/>
        <source>Save plot image</source>
        <translation>Diagramm als Bild speichern</translation>
    </message>
    <message>
        <location filename="../widgets/plot_style.cpp" line="146"/>
        <source>PNG image</source>
        <translation>PNG-Bild</translation>
    </message>
    <message>
        <location filename="../widgets/plot_style.cpp" line="147"/>
        <source>SVG drawing</source>
        <translation>SVG-Zeichnung</translation>
    </message>
    <message>
        <location filename="../widgets/plot_style.cpp" line="148"/>
        <source>PDF document</source>
        <translation>PDF-Dokument</translation>
    </message>
    <message>
        <location filename="../widgets/plot_style.cpp" line="152"/>
        <source>Copy data as CSV</source>
        <translation>Daten als CSV kopieren</translation>
    </message>
    <message>
        <location filename="../widgets/plot_style.cpp" line="154"/>
        <source>Export data as CSV…</source>
        <translation>Daten als CSV exportieren…</translation>
    </message>
    <message>
        <location filename="../widgets/plot_style.cpp" line="156"/>
        <source>Export plot data</source>
        <translation>Diagrammdaten exportieren</translation>
    </message>
    <message>
        <location filename="../widgets/plot_style.cpp" line="156"/>
        <source>CSV file</source>
        <translation>CSV-Datei</translation>
    </message>
    <message>
        <location filename="../widgets/plot_style.cpp" line="159"/>
        <source>Fit to data</source>
        <translation>An die Daten anpassen</translation>
    </message>
</context>
</TS>
